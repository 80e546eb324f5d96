package org.mmemu.s390;

import org.mmemu.core.page.Gfp;

/**
 * The gfp s390 allocates user page tables with (PTE pages and CRST tables alike): a policy.
 *
 * <pre>
 *  policy                 gfp                  why
 *  s390gfp.Kernel         GFP_KERNEL           every kernel so far: s390 page tables are never
 *                                              charged to a memory cgroup (the default)
 *  s390gfp.Account        GFP_KERNEL_ACCOUNT   what if s390 accounted them as x86 has since 4.8:
 *                                              reproduces the _mapcount collision of 4.8-4.17
 * </pre>
 */
public interface S390PageTableGfp {
    /** The policy's dotted name. */
    String policyName();

    /** The gfp of {@code page_table_alloc} and {@code crst_table_alloc}. */
    int gfp();

    /** The two policies. */
    enum Policies implements S390PageTableGfp {
        /** {@code GFP_KERNEL}, as arch/s390/mm/pgalloc.c has it in every era. */
        KERNEL("s390gfp.Kernel", Gfp.GFP_KERNEL),
        /** {@code GFP_KERNEL_ACCOUNT}: an override the kernel never shipped. */
        ACCOUNT("s390gfp.Account", Gfp.GFP_KERNEL_ACCOUNT);

        private final String policyName;
        private final int gfp;

        Policies(String policyName, int gfp) {
            this.policyName = policyName;
            this.gfp = gfp;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public int gfp() {
            return gfp;
        }
    }
}
