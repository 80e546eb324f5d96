package org.mmemu.slab;

/**
 * Where in a free object SLUB stores the free pointer ({@code s->offset}, mm/slub.c
 * {@code calculate_sizes}) for a cache without constructor, RCU or poisoning: at the start until
 * 5.6, near the middle from 5.7 (commit 3202fa62fb43, "slub: relocate freelist pointer to middle
 * of object"; 5.10's tree: {@code ALIGN(freepointer_area / 2, sizeof(void *))} when the object is
 * larger than a pointer).
 */
public interface FreePointerOffset {
    /** The name the era table selects. */
    String policyName();

    /** {@code s->offset} for objects of {@code size} bytes (already word aligned). */
    int offset(int size);

    /** The placements the kernel has used. */
    enum Eras implements FreePointerOffset {
        /** Until 5.6: the first word. */
        START("freeptr.Start") {
            @Override
            public int offset(int size) {
                return 0;
            }
        },
        /** 5.7 on: the middle word. */
        MIDDLE_5_7("freeptr.Middle57") {
            @Override
            public int offset(int size) {
                return size > Long.BYTES ? (size / 2 + Long.BYTES - 1) & -Long.BYTES : 0;
            }
        };

        private final String policyName;

        Eras(String policyName) {
            this.policyName = policyName;
        }

        @Override
        public String policyName() {
            return policyName;
        }
    }
}
