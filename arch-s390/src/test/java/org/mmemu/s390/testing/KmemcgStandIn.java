package org.mmemu.s390.testing;

import com.google.inject.Inject;
import com.google.inject.Module;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.PageAllocHook;
import org.mmemu.core.alloc.PageFreeHook;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.page.Gfp;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * A stand-in for the memcg module's kmem accounting (not merged yet), doing to an
 * {@code __GFP_ACCOUNT} allocation what the era's memcg does, with one emulated memory cgroup
 * and no limits:
 * <ul>
 *   <li>4.8-5.10 ({@code memcg_kmem_charge} in {@code __alloc_pages}): {@code __SetPageKmemcg}
 *       and {@code page->mem_cgroup};</li>
 *   <li>5.11+ (the encoding has no Kmemcg type): {@code memcg_data = memcg | MEMCG_DATA_KMEM};</li>
 *   <li>{@code free_pages_prepare}: uncharges only a page still marked that way, as
 *       {@code memcg_kmem_uncharge} behind {@code PageKmemcg} / {@code PageMemcgKmem} does.</li>
 * </ul>
 * Its consistency check requires every charge to be attributable to a page still carrying the
 * cgroup. The real memcg version of these tests belongs in integration-tests.
 */
public final class KmemcgStandIn implements PageAllocHook, PageFreeHook, ConsistencyCheck {
    /** {@code MEMCG_DATA_KMEM} (5.11). */
    public static final long MEMCG_DATA_KMEM = 2;

    private final PageTypes types;
    private final MemMap memMap;
    private final long memcg;
    private final AtomicLong charged = new AtomicLong();

    @Inject
    KmemcgStandIn(PageTypes types, MemMap memMap, KernelObjects objects) {
        this.types = types;
        this.memMap = memMap;
        this.memcg = objects.register(this);
    }

    /** Binds the stand-in as allocation and free hook and as a consistency check. */
    public static Module module() {
        return binder -> {
            binder.bind(KmemcgStandIn.class).in(MachineScoped.class);
            PageHooks.allocHooks(binder).add(KmemcgStandIn.class);
            PageHooks.freeHooks(binder).add(KmemcgStandIn.class);
            ConsistencyChecks.consistencyChecks(binder).add(KmemcgStandIn.class);
        };
    }

    /** Switches kmem accounting on in {@code m} ({@code memcg_kmem_enabled}) and returns the stand-in. */
    public static KmemcgStandIn enable(TestMachine m) {
        PageHooks hooks = m.get(PageHooks.class);
        hooks.allocKey().inc();
        hooks.freeKey().inc();
        return m.get(KmemcgStandIn.class);
    }

    /** The emulated address of the one memory cgroup. */
    public long memcg() {
        return memcg;
    }

    /** Blocks charged and not uncharged. */
    public long chargedBlocks() {
        return charged.get();
    }

    /** Whether {@code page} is marked charged the era's way. */
    public boolean isCharged(Page page) {
        return page.memcgData() != 0;
    }

    @Override
    public boolean postAlloc(Cpu cpu, Page page, int gfp, int order) {
        if ((gfp & Gfp.__GFP_ACCOUNT) == 0) {
            return true;
        }
        if (types.encoding().supports(PageType.KMEMCG)) {
            types.set(page, PageType.KMEMCG);
            page.setMemcgData(memcg);
        } else {
            page.setMemcgData(memcg | MEMCG_DATA_KMEM);
        }
        charged.incrementAndGet();
        return true;
    }

    @Override
    public void freePagesPrepare(Cpu cpu, Page page, int order) {
        boolean kmem = types.encoding().supports(PageType.KMEMCG)
                ? types.has(page, PageType.KMEMCG)
                : (page.memcgData() & MEMCG_DATA_KMEM) != 0;
        if (!kmem) {
            return;
        }
        if (types.encoding().supports(PageType.KMEMCG)) {
            types.clear(page, PageType.KMEMCG);
        }
        page.setMemcgData(0);
        charged.decrementAndGet();
    }

    @Override
    public String name() {
        return "kmemcg stand-in";
    }

    @Override
    public List<String> check() {
        long carrying = 0;
        for (int pfn = 0; pfn < memMap.nrPages(); pfn++) {
            if ((memMap.page(pfn).memcgData() & ~MEMCG_DATA_KMEM) == memcg) {
                carrying++;
            }
        }
        return carrying == charged.get() ? List.of() : List.of(String.format(Locale.ROOT,
                "%d block(s) charged but %d page(s) carry the cgroup", charged.get(), carrying));
    }
}
