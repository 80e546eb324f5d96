package org.mmemu.memcg;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * "Every charged byte is attributable", checked at quiescence over the whole machine (one walk
 * of the mem_map, one of the cgroup tree, one of the per-CPU stocks):
 * <ol>
 *   <li>every page whose {@code memcg_data} is set names a live object of the right kind (a
 *       mem_cgroup, or with {@code MEMCG_DATA_KMEM} an obj_cgroup or mem_cgroup, or with
 *       {@code MEMCG_DATA_OBJCGS} a live vector), and is neither free nor a tail page; a freed
 *       address is reported with the KASAN text decoding it would give;</li>
 *   <li>no page counter ever underflowed ({@link PageCounter#underflows()});</li>
 *   <li>each cgroup's {@code memory} usage (hierarchical, as its counter is) equals what its
 *       subtree accounts for: the pages carrying its charge (memcg_data naming it, or an
 *       obj_cgroup whose current memcg it is), the pages parked in per-CPU stocks for it, the
 *       whole pages behind obj_cgroup byte charges (bytes in per-CPU byte stocks, in
 *       {@code nr_charged_bytes} and declared by {@link ChargeOwner}s, which must add up to
 *       whole pages) and pages owners declare. A removed (dying) cgroup may hold more than
 *       that, never less: charges made through its obj_cgroup stay in its own counter after
 *       reparenting while their uncharge goes to the parent, as in the kernel;</li>
 *   <li>with the cgroup-v1 {@code kmem} counter kept, the same for kernel pages (pages the
 *       policy marks as kmem, obj_cgroup pages), plus the helper era's known leak.</li>
 * </ol>
 *
 * <p>The eras' known leaks are attributable as they are: a page that the helper era's
 * {@code __free_pages} reported "still charged to cgroup" keeps its memcg_data and its charge
 * (the page is leaked, not lost), so it counts as a page carrying the charge. The helper era's
 * {@code put_page} uncharges {@code memory} (so usage stays exact) but not {@code kmem}: that
 * leak is exactly the file pages it uncharged and never charged, which
 * {@code NR_FILE_PAGES} shows as negative (the emulator charges no page cache). A 4.8/4.18
 * PageKmemcg page loses its type while mapped, so it does not count as kmem then, as the
 * kernel would not see it either. The root is never charged for pages that name it; before
 * the latest era an obj_cgroup reparented to the root is not charged there either, and the
 * kernel's uncharge of such a charge shows here as a mismatch at the root.
 *
 * <p>Exact only while no other thread uses the machine. Allocates a handful of objects per
 * cgroup and a bit set of the mem_map, nothing per page.
 */
public final class MemcgChargeCheck implements ConsistencyCheck {
    private static final int SHOWN = 10;

    private final PageAllocator alloc;
    private final MemMap memMap;
    private final DumpPage dumpPage;
    private final KernelObjects objects;
    private final CgroupTree tree;
    private final ChargeStock stock;
    private final ObjCgroups objcgs;
    private final KmemAccountingPolicy policy;
    private final Provider<Set<ChargeOwner>> owners;
    private final boolean v1Kmem;
    private final boolean objcgChargesRoot;

    /** What one cgroup's charge is made of; own values first, then its subtree's. */
    private static final class Tally {
        long pages;
        long kmemPages;
        long stocked;
        long objcg;
        long declared;
        long fileLeak;

        long memory() {
            return pages + stocked + objcg + declared;
        }

        long kmem() {
            return kmemPages + objcg + fileLeak;
        }

        void add(Tally t) {
            pages += t.pages;
            kmemPages += t.kmemPages;
            stocked += t.stocked;
            objcg += t.objcg;
            declared += t.declared;
            fileLeak += t.fileLeak;
        }
    }

    @Inject
    MemcgChargeCheck(PageAllocator alloc, DumpPage dumpPage, KernelObjects objects, CgroupTree tree,
                     ChargeStock stock, ObjCgroups objcgs, KmemAccountingPolicy policy,
                     Provider<Set<ChargeOwner>> owners, MemcgConfig config) {
        this.alloc = alloc;
        this.memMap = alloc.memMap();
        this.dumpPage = dumpPage;
        this.objects = objects;
        this.tree = tree;
        this.stock = stock;
        this.objcgs = objcgs;
        this.policy = policy;
        this.owners = owners;
        this.v1Kmem = config.v1KmemCounter();
        this.objcgChargesRoot = config.chargeSemantics() == ChargeSemantics.LATEST;
    }

    @Override
    public String name() {
        return "memcg";
    }

    @Override
    public List<String> check() {
        Problems problems = new Problems();
        List<MemCgroup> cgroups = new ArrayList<>();
        tree.forEachDescendantWithDying(tree.root(), cgroups::add);
        Map<MemCgroup, Tally> tallies = new IdentityHashMap<>();
        for (MemCgroup m : cgroups) {
            Tally t = new Tally();
            t.fileLeak = -m.stats().local(MemcgStatItem.NR_FILE_PAGES);
            tallies.put(m, t);
            underflows(m, "memory", m.memory(), problems);
            underflows(m, "kmem", m.kmem(), problems);
        }
        walkPages(tallies, problems);
        Map<ObjCgroup, long[]> objcgBytes = liveObjcgs(cgroups);
        walkStocks(tallies, objcgBytes, problems);
        declared(tallies, objcgBytes, problems);
        objcgPages(tallies, objcgBytes, problems);
        // Pre-order lists parents first: backwards, every subtree is summed before its parent.
        for (int i = cgroups.size() - 1; i > 0; i--) {
            MemCgroup m = cgroups.get(i);
            tallies.get(m.parent()).add(tallies.get(m));
        }
        for (MemCgroup m : cgroups) {
            compare(m, tallies.get(m), problems);
        }
        return problems.list();
    }

    private static void underflows(MemCgroup m, String counter, PageCounter c, Problems problems) {
        if (c.underflows() != 0) {
            problems.add(format("the %s counter of %s underflowed %d time(s) (page_counter underflow:"
                    + " pages uncharged that were never charged there)", counter, m, c.underflows()));
        }
    }

    // ---- pages -------------------------------------------------------------------------------

    private void walkPages(Map<MemCgroup, Tally> tallies, Problems problems) {
        BitSet free = alloc.freePfns();
        // Pages exist from firstInitPfn up; the deferred ones below were never allocated.
        for (int pfn = memMap.firstInitPfn(); pfn < memMap.nrPages(); pfn++) {
            Page page = memMap.page(pfn);
            long data = page.memcgData();
            if (data == 0) {
                continue;
            }
            if (free.get(pfn)) {
                problems.add(pageProblem(page, "free pfn 0x%x still has memcg_data", pfn));
                continue;
            }
            if (CompoundHead.isTail(page)) {
                problems.add(pageProblem(page, "tail pfn 0x%x has memcg_data (only the head carries it)", pfn));
                continue;
            }
            int nr = page.testFlag(PageFlags.PG_head) ? 1 << CompoundHead.compoundOrder(memMap, page) : 1;
            attribute(page, data, nr, tallies, problems);
        }
    }

    private void attribute(Page page, long data, int nr, Map<MemCgroup, Tally> tallies, Problems problems) {
        long flags = data & MemcgData.MEMCG_DATA_FLAGS_MASK;
        long address = data & ~MemcgData.MEMCG_DATA_FLAGS_MASK;
        if (flags == MemcgData.MEMCG_DATA_FLAGS_MASK) {
            problems.add(pageProblem(page, "pfn 0x%x has both MEMCG_DATA_OBJCGS and MEMCG_DATA_KMEM", page.pfn()));
            return;
        }
        Object target;
        try {
            target = objects.resolve(address, Object.class);
        } catch (KernelBug kasan) {
            problems.add(pageProblem(page, "pfn 0x%x memcg_data 0x%x: %s", page.pfn(), data, kasan.getMessage()));
            return;
        }
        if (flags == MemcgData.MEMCG_DATA_OBJCGS) {
            return; // a slab page's obj_cgroup vector: its objects' charges are byte charges
        }
        MemCgroup memcg;
        boolean viaObjcg = target instanceof ObjCgroup && flags == MemcgData.MEMCG_DATA_KMEM;
        if (viaObjcg) {
            memcg = ((ObjCgroup) target).memcg();
        } else if (target instanceof MemCgroup m) {
            memcg = m;
        } else {
            problems.add(pageProblem(page, "pfn 0x%x memcg_data 0x%x names a %s, not a mem_cgroup",
                    page.pfn(), data, target.getClass().getSimpleName()));
            return;
        }
        Tally t = tallies.get(memcg);
        if (t == null) {
            problems.add(pageProblem(page, "pfn 0x%x is charged to %s, which is not in the tree", page.pfn(), memcg));
            return;
        }
        if (memcg.isRoot() && !(viaObjcg && objcgChargesRoot)) {
            return; // try_charge never charges the root
        }
        t.pages += nr;
        if (policy.isKmemPage(page)) {
            t.kmemPages += nr;
        }
    }

    // ---- obj_cgroups, stocks, owners -----------------------------------------------------------

    /** Every live obj_cgroup: each online cgroup's own and those reparented to a cgroup. */
    private Map<ObjCgroup, long[]> liveObjcgs(List<MemCgroup> cgroups) {
        Map<ObjCgroup, long[]> bytes = new IdentityHashMap<>();
        for (MemCgroup m : cgroups) {
            ObjCgroup own = m.objcg();
            if (own != null) {
                bytes.put(own, new long[] {own.chargedBytes()});
            }
            for (ObjCgroup o : objcgs.reparentedTo(m)) {
                bytes.put(o, new long[] {o.chargedBytes()});
            }
        }
        return bytes;
    }

    private void walkStocks(Map<MemCgroup, Tally> tallies, Map<ObjCgroup, long[]> objcgBytes, Problems problems) {
        for (int cpu = 0; cpu < stock.nrStocks(); cpu++) {
            MemCgroup cached = stock.pinnedMemcg(cpu);
            int pages = stock.stockedPages(cpu);
            if (cached != null) {
                Tally t = tallies.get(cached);
                if (t == null) {
                    problems.add(format("cpu%d's stock caches %s, which is not in the tree", cpu, cached));
                } else {
                    t.stocked += pages;
                }
            }
            ObjCgroup objcg = stock.cachedObjcg(cpu);
            if (objcg != null) {
                long[] b = objcgBytes.get(objcg);
                if (b == null) {
                    problems.add(format("cpu%d's byte stock caches %s, which is not live", cpu, objcg));
                } else {
                    b[0] += stock.stockedBytes(cpu);
                }
            }
        }
    }

    private void declared(Map<MemCgroup, Tally> tallies, Map<ObjCgroup, long[]> objcgBytes, Problems problems) {
        ChargeOwner.Charges charges = new ChargeOwner.Charges() {
            @Override
            public void pages(MemCgroup memcg, long nrPages) {
                Tally t = tallies.get(memcg);
                if (t == null) {
                    problems.add(format("an owner declares %d page(s) charged to %s, which is not in the tree",
                            nrPages, memcg));
                } else {
                    t.declared += nrPages;
                }
            }

            @Override
            public void objcgBytes(ObjCgroup objcg, long bytes) {
                long[] b = objcgBytes.get(objcg);
                if (b == null) {
                    problems.add(format("an owner declares %d byte(s) charged through %s, which is not live",
                            bytes, objcg));
                } else {
                    b[0] += bytes;
                }
            }
        };
        for (ChargeOwner o : owners.get()) {
            o.declareCharges(charges);
        }
    }

    /** Byte charges hold whole pages of their objcg's current memcg. */
    private void objcgPages(Map<MemCgroup, Tally> tallies, Map<ObjCgroup, long[]> objcgBytes, Problems problems) {
        for (Map.Entry<ObjCgroup, long[]> e : objcgBytes.entrySet()) {
            ObjCgroup objcg = e.getKey();
            long bytes = e.getValue()[0];
            if ((bytes & (MemMap.PAGE_SIZE - 1)) != 0) {
                problems.add(format("%s holds %d charged byte(s) (stocks, nr_charged_bytes and owners),"
                        + " not whole pages: a byte charge nobody declared, or bytes lost", objcg, bytes));
            }
            Tally t = tallies.get(objcg.memcg());
            if (t == null) {
                problems.add(format("%s charges %s, which is not in the tree", objcg, objcg.memcg()));
            } else if (!objcg.memcg().isRoot() || objcgChargesRoot) {
                t.objcg += bytes >>> MemMap.PAGE_SHIFT;
            }
        }
    }

    // ---- the comparison --------------------------------------------------------------------------

    private void compare(MemCgroup m, Tally t, Problems problems) {
        long usage = m.memory().read();
        boolean exact = m.isOnline();
        if (exact ? usage != t.memory() : usage < t.memory()) {
            problems.add(format("memory usage of %s is %d page(s) but its subtree accounts for %d: %d carried"
                    + " by pages, %d in per-CPU stocks, %d behind obj_cgroup byte charges, %d declared by owners%s",
                    m, usage, t.memory(), t.pages, t.stocked, t.objcg, t.declared,
                    exact ? "" : " (a dying cgroup may hold more, never less)"));
        }
        if (!v1Kmem) {
            return;
        }
        long kmem = m.kmem().read();
        if (exact ? kmem != t.kmem() : kmem < t.kmem()) {
            problems.add(format("kmem usage of %s is %d page(s) but its subtree accounts for %d: %d kmem pages,"
                    + " %d behind obj_cgroup byte charges, %d uncharged by put_page as file pages (4.6/4.7 leak)",
                    m, kmem, t.kmem(), t.kmemPages, t.objcg, t.fileLeak));
        }
    }

    private String pageProblem(Page page, String what, Object... args) {
        return format(what, args) + "\n" + dumpPage.dump(page, null);
    }

    private static String format(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** The first few problems and a count of the rest. */
    private static final class Problems {
        private final List<String> shown = new ArrayList<>();
        private int more;

        void add(String problem) {
            if (shown.size() < SHOWN) {
                shown.add(problem);
            } else {
                more++;
            }
        }

        List<String> list() {
            if (more > 0) {
                shown.add("... and " + more + " more");
            }
            return shown;
        }
    }
}
