package org.mmemu.s390;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;

import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;

/**
 * arch-s390's era table: where the fragment bits of PTE tables live. {@code _mapcount} until
 * 4.17, {@code _refcount} from 4.18 (commit 620b4e903179), a whole page per table in the latest
 * kernels. Up to 6.13, the latest era's kernel, s390 allocates page tables without
 * {@code __GFP_ACCOUNT}, so no era selects {@code s390gfp.Account} (6.18's, 5671ce2a1fc6). The layout is selected in every machine of an era and takes effect
 * where {@link S390Module} is installed.
 */
public final class S390Eras {
    /** The fragment-bit layout of PTE tables. */
    public static final EraChoice<String> LAYOUT = EraChoice.policy("s390 layout", FragmentLayout.class,
                    FragmentLayout.Eras.MAPCOUNT_4_8.policyName())
            .since(V4_18, FragmentLayout.Eras.REFCOUNT_4_18.policyName())
            .since(LATEST, FragmentLayout.Eras.WHOLE_PAGE_6_8.policyName());

    /** arch-s390's choices, in table order. */
    public static final EraDescriptor DESCRIPTOR = EraDescriptor.of("arch-s390", LAYOUT);

    private S390Eras() {
    }
}
