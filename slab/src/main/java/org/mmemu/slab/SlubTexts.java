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
public enum SlubTexts {
    /** 4.x to 5.11 (5.10's tree). */
    INFO_4_8("slubtexts.Info48", "INFO: ", false),
    /** The latest kernels (6.x). */
    PLAIN_6_X("slubtexts.Plain6x", "", true);

    private final String policyName;
    private final String prefix;
    private final boolean latest;

    SlubTexts(String policyName, String prefix, boolean latest) {
        this.policyName = policyName;
        this.prefix = prefix;
        this.latest = latest;
    }

    /** The name the era table selects. */
    public String policyName() {
        return policyName;
    }

    /** {@code print_page_info}'s line for a slab page at {@code structPage}. */
    public String slabInfo(long structPage, int objects, int inuse, long freelist, long pageFlags) {
        String flags = latest ? String.format(Locale.ROOT, "0x%x(%s)", pageFlags, PageFlags.describe(pageFlags))
                : String.format(Locale.ROOT, "0x%04x", pageFlags);
        return String.format(Locale.ROOT, "%sSlab 0x%016x objects=%d used=%d fp=0x%016x flags=%s",
                prefix, structPage, objects, inuse, freelist, flags);
    }

    /** {@code print_trailer}'s object line. */
    public String objectInfo(long object, long offset, long fp) {
        return String.format(Locale.ROOT, "%sObject 0x%016x @offset=%d fp=0x%016x%n", prefix, object, offset, fp);
    }

    /** {@code list_slab_objects}' line for an object still allocated. */
    public String remainingObject(long object, long offset) {
        return String.format(Locale.ROOT, "%sObject 0x%016x @offset=%d", prefix, object, offset);
    }

    /** {@code kmem_cache_destroy}'s message for a cache that still has objects. */
    public String stillHasObjects(String name) {
        return "kmem_cache_destroy " + name + ": Slab cache still has objects"
                + (latest ? " when called from kmem_cache_destroy" : "");
    }

    /** Whether that message is a {@code WARN} (with its WARNING line and taint). */
    public boolean destroyWarns() {
        return latest;
    }
}
