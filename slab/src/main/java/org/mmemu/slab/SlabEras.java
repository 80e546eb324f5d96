package org.mmemu.slab;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V5_10;
import static org.mmemu.core.era.KernelRelease.V5_11;
import static org.mmemu.core.era.KernelRelease.V4_8;
import static org.mmemu.core.era.KernelRelease.V5_9;

import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;

/**
 * slab's era table: where SLUB's counters live and how a slab page is marked, where a free object
 * keeps its free pointer, the slab order heuristic, how kmalloc_large gets its pages, the
 * kmalloc cache names and types, the wording of SLUB's reports, how {@code mem_cgroup_from_obj} reads and
 * when a dead cgroup's cache clones are shrunk. The choices take effect where {@link SlabModule} is installed.
 */
public final class SlabEras {
    /** The counters' word and the slab mark: {@code _mapcount} until 4.17, the page type in 6.10+. */
    public static final EraChoice<String> PAGE_LAYOUT = EraChoice.policy("slab page", SlabPageLayout.class,
                    SlabPageLayout.Eras.MAPCOUNT_4_8.policyName())
            .since(V4_18, SlabPageLayout.Eras.COUNTERS_4_18.policyName())
            .since(LATEST, SlabPageLayout.Eras.TYPED_6_10.policyName());

    /** The free pointer: the object's first word, its middle from 5.7. */
    public static final EraChoice<String> FREE_POINTER = EraChoice.policy("slub free pointer",
                    FreePointerOffset.class, FreePointerOffset.Eras.START.policyName())
            .since(V5_9, FreePointerOffset.Eras.MIDDLE_5_7.policyName());

    /** {@code calculate_order}: reworked in 6.8. */
    public static final EraChoice<String> SLAB_ORDER = EraChoice.policy("slab order", SlabOrder.class,
                    SlabOrder.Eras.CLASSIC.policyName())
            .since(LATEST, SlabOrder.Eras.MIN_ORDER_6_8.policyName());

    /** {@code kmalloc_large}'s pages: {@code alloc_kmem_pages} until 4.7, {@code alloc_pages} from 4.8. */
    public static final EraChoice<String> KMALLOC_LARGE = EraChoice.policy("kmalloc_large", KmallocLargePages.class,
                    KmallocLargePages.Eras.KMEM_PAGES.policyName())
            .since(V4_8, KmallocLargePages.Eras.ALLOC_PAGES.policyName());

    /** The kmalloc caches' names: {@code kmalloc-1024}, then {@code kmalloc-1k} (5.2). */
    public static final EraChoice<String> KMALLOC_NAMES = EraChoice.policy("kmalloc names", KmallocNames.class,
                    KmallocNames.Eras.BYTES.policyName())
            .since(V5_9, KmallocNames.Eras.SHORT_5_2.policyName());

    /**
     * The kmalloc cache types: normal and {@code dma-kmalloc-} caches, {@code kmalloc-rcl-} ones
     * from 4.20, {@code kmalloc-cg-} ones for accounted kmallocs from 5.14.
     */
    public static final EraChoice<String> KMALLOC_TYPES = EraChoice.policy("kmalloc types", KmallocTypes.class,
                    KmallocTypes.Eras.NORMAL.policyName())
            .since(V5_9, KmallocTypes.Eras.RECLAIM_4_20.policyName())
            .since(LATEST, KmallocTypes.Eras.CGROUP_5_14.policyName());

    /** The wording of SLUB's reports: "INFO: " lines until 5.11, plain lines and a WARN on destroy in 6.x. */
    public static final EraChoice<String> TEXTS = EraChoice.policy("slub texts", SlubTexts.class,
                    SlubTexts.INFO_4_8.policyName())
            .since(LATEST, SlubTexts.PLAIN_6_X.policyName());

    /**
     * How {@code mem_cgroup_from_obj} reads the page's word: twice (5.9, racy), NULL first (5.10),
     * through the checked helpers (5.11 on). The function came in 5.6 (with 8380ce479010, which
     * 5.5's stable series took too); before 5.9 the 5.9 reading stands in (no vector is ever
     * attached then, so it reads the page's memcg).
     */
    public static final EraChoice<String> FROM_OBJ = EraChoice.policy("mem_cgroup_from_obj", MemcgFromObjReader.class,
                    MemcgFromObjReader.Eras.RACY_5_9.policyName())
            .since(V5_10, MemcgFromObjReader.Eras.NULL_FIRST_5_10.policyName())
            .since(V5_11, MemcgFromObjReader.Eras.CHECKED_5_11.policyName());

    /**
     * How a dead cgroup's cache clone is shrunk: at once (after an IPI in 4.6, a grace period in
     * 4.8), after a grace period and a work item from 4.11. From 5.9 there are no clones: the
     * 4.11 policy stays bound with nothing to deactivate.
     */
    public static final EraChoice<String> CLONE_DEACTIVATION = EraChoice.policy("clone deactivation",
                    CloneDeactivation.class, CloneDeactivation.Eras.KICK_CPUS.policyName())
            .since(V4_8, CloneDeactivation.Eras.SYNC_SCHED_4_8.policyName())
            .since(V4_18, CloneDeactivation.Eras.RCU_WORK_4_11.policyName());

    /** slab's choices, in table order. */
    public static final EraDescriptor DESCRIPTOR =
            EraDescriptor.of("slab", PAGE_LAYOUT, FREE_POINTER, SLAB_ORDER, KMALLOC_LARGE, KMALLOC_NAMES,
            KMALLOC_TYPES, TEXTS, FROM_OBJ, CLONE_DEACTIVATION);

    private SlabEras() {
    }
}
