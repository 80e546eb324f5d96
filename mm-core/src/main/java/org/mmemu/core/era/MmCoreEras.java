package org.mmemu.core.era;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V4_8;
import static org.mmemu.core.era.KernelRelease.V5_11;
import static org.mmemu.core.era.KernelRelease.V5_9;

import org.mmemu.core.alloc.PageAllocTexts;
import org.mmemu.core.cred.InitRlimits;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.PageTableGfp;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.page.PageTypeEncoding;

/**
 * mm-core's era table: the page-type encoding of {@code _mapcount}, the gfp values reports
 * print, what {@code vm_insert_page} refuses, and the gfp of x86 user page tables.
 *
 * <p>5.9 and 5.10 print gfp masks with the 5.11 values: the renumbering ({@code __GFP_ZERO}
 * 0x100, {@code __GFP_ACCOUNT} 0x400000) predates them (a 5.10 gfp.h has them). 4.18 and 4.19
 * have 4.8's values but for the renumbered reclaim bits and {@code __GFP_WRITE}.
 */
public final class MmCoreEras {
    /** {@code _mapcount}'s page types: values until 4.17, {@code page_type} bits, then the top byte. */
    public static final EraChoice<String> PAGE_TYPES = EraChoice.policy("page types", PageTypeEncoding.class,
                    Encoding.VALUE_4_6.policyName())
            .since(V4_8, Encoding.VALUE_4_8.policyName())
            .since(V4_18, Encoding.BITS_4_18.policyName())
            .since(V5_9, Encoding.BITS_5_0.policyName())
            .since(V5_11, Encoding.BITS_5_11.policyName())
            .since(LATEST, Encoding.TOP_BYTE_6_13.policyName());

    /** The gfp values and names of reports ({@code %pGg}). */
    public static final EraChoice<String> GFP_NAMES = EraChoice.policy("gfp names", GfpLayout.class, "gfp.V4_8")
            .since(V4_18, "gfp.V4_18")
            .since(V5_9, "gfp.V5_11");

    /** What {@code vm_insert_page} refuses: anonymous pages, then (5.1) slab and typed pages too. */
    public static final EraChoice<String> INSERT_PAGE = EraChoice.policy("vm_insert_page", InsertPagePolicy.class,
                    InsertPagePolicy.Rules.ANON_ONLY.policyName())
            .since(V5_9, InsertPagePolicy.Rules.ANON_SLAB_TYPED.policyName());

    /** The gfp of x86 user page tables: accounted from 4.8. */
    public static final EraChoice<String> PAGE_TABLE_GFP = EraChoice.policy("x86 page tables", PageTableGfp.class,
                    PageTableGfp.Eras.KERNEL_4_6.policyName())
            .since(V4_8, PageTableGfp.Eras.ACCOUNT_4_8.policyName());

    /** The texts of allocation-time bad-page reasons and of the allocation-failure warning. */
    public static final EraChoice<String> ALLOC_TEXTS = EraChoice.policy("page alloc texts", PageAllocTexts.class,
                    PageAllocTexts.Eras.V4_7.policyName())
            .since(V4_18, PageAllocTexts.Eras.V4_18.policyName())
            .since(V5_9, PageAllocTexts.Eras.V5_9.policyName());

    /** {@code INIT_RLIMITS}: {@code MLOCK_LIMIT} went from 64 KiB to 8 MiB in 5.16. */
    public static final EraChoice<String> INIT_RLIMITS = EraChoice.policy("init rlimits", InitRlimits.class,
                    InitRlimits.Eras.MLOCK_64K.policyName())
            .since(LATEST, InitRlimits.Eras.MLOCK_8M.policyName());

    /** mm-core's choices, in table order. */
    public static final EraDescriptor DESCRIPTOR =
            EraDescriptor.of("mm-core", PAGE_TYPES, GFP_NAMES, INSERT_PAGE, PAGE_TABLE_GFP, ALLOC_TEXTS,
            INIT_RLIMITS);

    private MmCoreEras() {
    }
}
