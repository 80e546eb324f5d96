package org.mmemu.core.mm;

import org.mmemu.core.page.Gfp;

/**
 * The gfp user page tables are allocated with: a policy chosen per era. Whether it carries
 * {@code __GFP_ACCOUNT} decides whether page tables are charged to the task's memory cgroup.
 *
 * <pre>
 *  policy                   eras   gfp                          why
 *  pgtablegfp.Kernel46      -4.7   GFP_KERNEL | __GFP_ZERO      x86 PGALLOC_GFP before accounting
 *  pgtablegfp.Account48     4.8-   GFP_PGTABLE_USER             x86 PGALLOC_GFP gained __GFP_ACCOUNT
 *                                  (GFP_KERNEL_ACCOUNT|ZERO)    in 4.8; asm-generic from 5.9
 * </pre>
 */
public interface PageTableGfp {
    /** The policy's dotted name. */
    String policyName();

    /** The gfp of a user mm's tables ({@code GFP_PGTABLE_USER} from 4.8). */
    int userGfp();

    /** The policies the kernel has had. */
    enum Eras implements PageTableGfp {
        /** 4.7 and earlier: x86 page tables are not accounted. */
        KERNEL_4_6("pgtablegfp.Kernel46", Gfp.GFP_KERNEL | Gfp.__GFP_ZERO),
        /** 4.8 and later: {@code GFP_PGTABLE_USER}, charged to the task's memcg. */
        ACCOUNT_4_8("pgtablegfp.Account48", Gfp.GFP_PGTABLE_USER);

        private final String policyName;
        private final int userGfp;

        Eras(String policyName, int userGfp) {
            this.policyName = policyName;
            this.userGfp = userGfp;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public int userGfp() {
            return userGfp;
        }
    }
}
