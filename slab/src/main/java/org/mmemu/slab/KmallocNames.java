package org.mmemu.slab;

/**
 * The names of the kmalloc caches (mm/slab_common.c {@code kmalloc_info}): byte counts until
 * 5.1 ({@code kmalloc-1024}), short sizes from 5.2 ({@code kmalloc-1k}, commit cb5d9fb38c34).
 */
public interface KmallocNames {
    /** The name the era table selects. */
    String policyName();

    /** The size as the names show it: {@code 1024} or {@code 1k}. */
    String sizeName(int size);

    /** The name of the normal kmalloc cache of objects of {@code size} bytes. */
    default String name(int size) {
        return name(KmallocCacheType.NORMAL, size);
    }

    /**
     * The name of the kmalloc cache of {@code type} of objects of {@code size} bytes
     * ({@code kmalloc-rcl-1k}, {@code dma-kmalloc-96}; 4.x's {@code dma-kmalloc-%d} came from
     * {@code kasprintf} with the byte count, as its other names did).
     */
    default String name(KmallocCacheType type, int size) {
        return type.prefix() + sizeName(size);
    }

    /** The namings the kernel has used. */
    enum Eras implements KmallocNames {
        /** Until 5.1. */
        BYTES("kmallocnames.Bytes") {
            @Override
            public String sizeName(int size) {
                return Integer.toString(size);
            }
        },
        /** 5.2 on. */
        SHORT_5_2("kmallocnames.Short52") {
            @Override
            public String sizeName(int size) {
                return size >= 1024 && size % 1024 == 0 ? size / 1024 + "k" : Integer.toString(size);
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
