package org.mmemu.core.page;

/**
 * The page types the kernel stores in {@code _mapcount}/{@code page_type} over its history.
 * Which exist, and how each is encoded, depends on the {@link PageTypeEncoding}.
 */
public enum PageType {
    /** A free page heading a block in the buddy allocator ({@code PageBuddy}). */
    BUDDY("buddy"),
    /** A page owned by a balloon driver ({@code PageBalloon}, replaced by Offline in 5.0). */
    BALLOON("balloon"),
    /** A logically offline page ({@code PageOffline}, 5.0+). */
    OFFLINE("offline"),
    /** A page charged to a memory cgroup as kernel memory ({@code PageKmemcg}, 4.8 to 5.10). */
    KMEMCG("kmemcg"),
    /** A page-table page ({@code PageTable}, 4.18+). */
    TABLE("table"),
    /** A debug guard page ({@code PageGuard}). */
    GUARD("guard"),
    /** A hugetlbfs folio (6.x). */
    HUGETLB("hugetlb"),
    /** A slab page (a page type only in 6.x; a PG_slab flag before). */
    SLAB("slab"),
    /** A zsmalloc page (6.x). */
    ZSMALLOC("zsmalloc"),
    /** Memory not yet accepted by a confidential guest (6.x). */
    UNACCEPTED("unaccepted");

    private final String kernelName;

    PageType(String kernelName) {
        this.kernelName = kernelName;
    }

    /** The lower-case name the kernel prints ({@code page_type: ...(buddy)}). */
    public String kernelName() {
        return kernelName;
    }
}
