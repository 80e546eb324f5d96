package org.mmemu.core.era;

/**
 * The kernel releases the emulator can be, oldest first: the key of every module's era table
 * ({@link EraDescriptor}). A release stands for the kernels whose behaviour it models; each
 * module's descriptor says which of its policies that behaviour is.
 */
public enum KernelRelease {
    /** 4.7: kmem charged only through {@code alloc_kmem_pages}. */
    V4_7("4.7"),
    /** 4.8: {@code __GFP_ACCOUNT} charged in the generic allocator paths (commit 4949148a). */
    V4_8("4.8"),
    /** 4.18: page types are bits of {@code page_type}. */
    V4_18("4.18"),
    /** 5.9: per-object obj_cgroups, the racy {@code mem_cgroup_from_obj}. */
    V5_9("5.9"),
    /** 5.10: the {@code mem_cgroup_from_obj} race fixed. */
    V5_10("5.10"),
    /** 5.11: the kmem mark is a bit of {@code memcg_data}. */
    V5_11("5.11"),
    /** The latest kernel (6.13). */
    LATEST("latest");

    private final String version;

    KernelRelease(String version) {
        this.version = version;
    }

    /** The version as users name it ("4.8", "5.11", "latest"). */
    public String version() {
        return version;
    }
}
