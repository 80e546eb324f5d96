package org.mmemu.slab;

import java.util.Locale;
import org.mmemu.core.page.PageFlags;

/**
 * The lines SLUB's reports print that changed between eras (mm/slub.c {@code print_page_info}
 * / {@code print_slab_info}, {@code print_trailer}, {@code list_slab_objects}; mm/slab_common.c
 * {@code kmem_cache_destroy}): 4.x to 5.11 prefix them with "INFO: " and print the slab's flags
 * as a number, and a busy cache's destroy is a plain error; the latest kernels drop the prefix,
 * print the flags with their names ({@code %pGp}) and make the destroy a {@code WARN} naming the
 * caller.
 */
public interface SlubTexts {
    /** The name the era table selects. */
    String policyName();

    /** {@code print_page_info}'s line for a slab page at {@code structPage}. */
    String slabInfo(long structPage, int objects, int inuse, long freelist, long pageFlags);

    /** {@code print_trailer}'s object line. */
    String objectInfo(long object, long offset, long fp);

    /** {@code list_slab_objects}' line for an object still allocated. */
    String remainingObject(long object, long offset);

    /** {@code kmem_cache_destroy}'s message for a cache that still has objects. */
    String stillHasObjects(String name);

    /** Whether that message is a {@code WARN} (with its WARNING line and taint). */
    boolean destroyWarns();

    /** The eras' wordings. */
    enum Eras implements SlubTexts {
        /** 4.x to 5.11 (5.10's tree). */
        INFO_4_8("slubtexts.Info48") {
            @Override
            public String slabInfo(long structPage, int objects, int inuse, long freelist, long pageFlags) {
                return String.format(Locale.ROOT, "INFO: Slab 0x%016x objects=%d used=%d fp=0x%016x flags=0x%04x",
                        structPage, objects, inuse, freelist, pageFlags);
            }

            @Override
            public String objectInfo(long object, long offset, long fp) {
                return String.format(Locale.ROOT, "INFO: Object 0x%016x @offset=%d fp=0x%016x%n", object, offset, fp);
            }

            @Override
            public String remainingObject(long object, long offset) {
                return String.format(Locale.ROOT, "INFO: Object 0x%016x @offset=%d", object, offset);
            }

            @Override
            public String stillHasObjects(String name) {
                return "kmem_cache_destroy " + name + ": Slab cache still has objects";
            }

            @Override
            public boolean destroyWarns() {
                return false;
            }
        },
        /** The latest kernels (6.x). */
        PLAIN_6_X("slubtexts.Plain6x") {
            @Override
            public String slabInfo(long structPage, int objects, int inuse, long freelist, long pageFlags) {
                return String.format(Locale.ROOT, "Slab 0x%016x objects=%d used=%d fp=0x%016x flags=0x%x(%s)",
                        structPage, objects, inuse, freelist, pageFlags, PageFlags.describe(pageFlags));
            }

            @Override
            public String objectInfo(long object, long offset, long fp) {
                return String.format(Locale.ROOT, "Object 0x%016x @offset=%d fp=0x%016x%n", object, offset, fp);
            }

            @Override
            public String remainingObject(long object, long offset) {
                return String.format(Locale.ROOT, "Object 0x%016x @offset=%d", object, offset);
            }

            @Override
            public String stillHasObjects(String name) {
                return "kmem_cache_destroy " + name + ": Slab cache still has objects when called from kmem_cache_destroy";
            }

            @Override
            public boolean destroyWarns() {
                return true;
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
