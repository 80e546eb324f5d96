package org.mmemu.s390;

import org.mmemu.core.page.Gfp;

/**
 * The gfp s390 allocates user page tables with (PTE pages and CRST tables alike): a policy.
 *
 * <pre>
 *  policy                 gfp                  why
 *  s390gfp.Kernel         GFP_KERNEL           every era here (up to 6.13): s390 page tables are
 *                                              not charged to a memory cgroup (the default)
 *  s390gfp.Account        GFP_KERNEL_ACCOUNT   6.18 on (5671ce2a1fc6, also 6.17.y and 6.12.y
 *                                              stable); in an older era's machine, what if s390
 *                                              had accounted them as x86 has since 4.8: it
 *                                              reproduces the _mapcount collision of 4.8-4.17
 * </pre>
 *
 * <p>6.18 leaves {@code init_mm}'s tables unaccounted; the emulator builds no kernel page tables.
 */
public interface S390PageTableGfp {
    /** The policy's dotted name. */
    String policyName();

    /** The gfp of {@code page_table_alloc} and {@code crst_table_alloc}. */
    int gfp();

    /** The two policies. */
    enum Policies implements S390PageTableGfp {
        /** {@code GFP_KERNEL}, as arch/s390/mm/pgalloc.c has it in every release up to 6.17.0. */
        KERNEL("s390gfp.Kernel", Gfp.GFP_KERNEL),
        /** {@code GFP_KERNEL_ACCOUNT}, as 6.18's arch/s390/mm/pgalloc.c has it for user tables. */
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
