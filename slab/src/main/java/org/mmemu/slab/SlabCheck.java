package org.mmemu.slab;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * Every slab page agrees with itself and with its cache: its free list is a chain of distinct
 * objects of the slab, and so is a CPU's list on the CPU's slab, no object is on both; the
 * counters' {@code objects} is the cache's and {@code inuse} is the objects minus the slab's
 * own free ones; a slab is frozen exactly when it is a CPU's; an unfrozen slab with free objects
 * is on the partial list and a full one is not; the node's counts match. Up to 5.8 a clone's
 * slab page is charged to the clone's cgroup ({@code page->mem_cgroup}), and a root cache's
 * active clones are on {@code slab_caches}, of online cgroups at their kmemcg id. Exact only
 * while no other thread uses the machine.
 */
final class SlabCheck implements ConsistencyCheck {
    private static final int MAX_REPORTED = 8;

    private final SlabCaches caches;
    private final SlabPages pages;
    private final DumpPage dumpPage;

    @Inject
    SlabCheck(SlabCaches caches, SlabPages pages, DumpPage dumpPage) {
        this.caches = caches;
        this.pages = pages;
        this.dumpPage = dumpPage;
    }

    @Override
    public String name() {
        return "slab";
    }

    /** What the walk of one cache's lists found, to compare with its pages. */
    private static final class Census {
        final BitSet partial = new BitSet();
        long slabs;
    }

    @Override
    public List<String> check() {
        List<String> problems = new ArrayList<>();
        Map<KmemCache, Census> census = new IdentityHashMap<>();
        for (KmemCache s : caches.caches()) {
            census.put(s, census(s));
        }
        caches.forEachSlab(page -> checkPage(page, census, problems));
        for (KmemCache s : census.keySet()) {
            checkClones(s, census, problems);
        }
        for (Map.Entry<KmemCache, Census> e : census.entrySet()) {
            KmemCache s = e.getKey();
            synchronized (s.node) {
                if (e.getValue().slabs != s.node.nrSlabs()) {
                    problems.add(s.name() + ": nr_slabs is " + s.node.nrSlabs() + " but " + e.getValue().slabs
                            + " slab pages name the cache");
                }
            }
        }
        return problems.size() > MAX_REPORTED
                ? List.copyOf(problems.subList(0, MAX_REPORTED)) : problems;
    }

    /** One slab page against its cache's census; what is wrong goes to {@code problems}. */
    private void checkPage(Page page, Map<KmemCache, Census> census, List<String> problems) {
        KmemCache s;
        try {
            s = caches.cacheOf(page);
        } catch (RuntimeException e) {
            problems.add("slab page with a bad slab_cache: " + e.getMessage() + "\n" + dumpPage.dump(page, null));
            return;
        }
        Census c = census.get(s);
        if (c == null) {
            problems.add("slab page of " + s.name() + ", a cache not on slab_caches\n" + dumpPage.dump(page, null));
            return;
        }
        c.slabs++;
        String problem = s.isRootCache() || page.memcgData() == s.memcg().address() ? checkSlab(s, page, c)
                : String.format(Locale.ROOT, "a clone's slab page with memcg_data 0x%x, not its cgroup %s",
                        page.memcgData(), s.memcg());
        if (problem != null) {
            problems.add(s.name() + ": " + problem + "\n" + dumpPage.dump(page, null));
        }
    }

    /**
     * A root cache's active clones: each on {@code slab_caches} and among its children, of an
     * online cgroup whose kmemcg id is the clone's index; a clone names a root that lists it.
     */
    private static void checkClones(KmemCache s, Map<KmemCache, Census> census, List<String> problems) {
        if (!s.isRootCache()) {
            if (!s.rootCache().children.contains(s)) {
                problems.add(s.name() + ": a clone its root cache " + s.rootCache().name() + " does not list");
            }
            return;
        }
        for (int idx = 0; idx < s.memcgCaches.length(); idx++) {
            KmemCache c = s.memcgCaches.get(idx);
            if (c != null && (!census.containsKey(c) || c.rootCache() != s || !c.memcg().isOnline()
                    || c.memcg().kmemcgId() != idx)) {
                problems.add(String.format(Locale.ROOT, "%s: memcg_caches[%d] is %s of %s, not an active clone",
                        s.name(), idx, c.name(), c.memcg()));
            }
        }
    }

    private Census census(KmemCache s) {
        Census c = new Census();
        synchronized (s.node) {
            int n = 0;
            for (Page p = s.node.first(); p != null && n <= s.node.nrPartial(); p = s.node.next(p)) {
                c.partial.set((int) p.pfn());
                n++;
            }
        }
        return c;
    }

    /** The first thing wrong with slab {@code page} of {@code s}, or null. */
    private String checkSlab(KmemCache s, Page page, Census c) {
        int counters = pages.counters(page);
        int objects = MapcountWord.slubObjects(counters);
        if (objects != s.objects()) {
            return "objects=" + objects + " but the cache's slabs hold " + s.objects();
        }
        BitSet free = new BitSet(objects);
        long freelist = SlabPages.freelist(page);
        String bad = walk(s, page, freelist, free, "the slab's free list");
        if (bad != null) {
            return bad;
        }
        int slabFree = free.cardinality();
        int inuse = MapcountWord.slubInuse(counters);
        if (inuse != objects - slabFree) {
            return "inuse=" + inuse + " but " + slabFree + " of " + objects + " objects are on its free list";
        }
        boolean frozen = MapcountWord.slubFrozen(counters);
        KmemCacheCpu cpu = cpuOwning(s, page);
        if (frozen != (cpu != null)) {
            return frozen ? "frozen but no CPU's slab" : "a CPU's slab but not frozen";
        }
        if (cpu != null) {
            return walk(s, page, cpu.freelist, free, "its CPU's free list");
        }
        boolean onPartial = c.partial.get((int) page.pfn());
        if (onPartial != (freelist != 0)) {
            return onPartial ? "full but on the partial list" : "has free objects but is on no list";
        }
        return null;
    }

    /** The CPU whose slab {@code page} is, or null. */
    private static KmemCacheCpu cpuOwning(KmemCache s, Page page) {
        for (KmemCacheCpu cpu : s.cpuSlab) {
            if (cpu.page == page) {
                return cpu;
            }
        }
        return null;
    }

    /** Marks the objects of a free list in {@code free}; the problem, or null. */
    private String walk(KmemCache s, Page page, long list, BitSet free, String what) {
        long base = MemMap.pageAddress(page);
        int steps = 0;
        for (long fp = list; fp != 0; fp = pages.getFreepointer(s, fp)) {
            if (!SlubDebug.checkValidPointer(s, page, fp)) {
                return String.format(Locale.ROOT, "%s holds 0x%016x, which is no object of the slab", what, fp);
            }
            int index = (int) ((fp - base) / s.size());
            if (free.get(index) || ++steps > s.objects()) {
                return String.format(Locale.ROOT, "object 0x%016x is on a free list twice (%s)", fp, what);
            }
            free.set(index);
        }
        return null;
    }
}
