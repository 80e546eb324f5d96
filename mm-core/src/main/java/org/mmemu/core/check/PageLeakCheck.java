package org.mmemu.core.check;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mmemu.core.alloc.BadPageReport;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;

/**
 * "Nothing lost": every page is free (in the buddy or on a per-CPU list), was reported bad (and
 * so leaked by the kernel on purpose), or is held by a registered {@link PageOwner} or leaked
 * on purpose by the test ({@link Expectations#expectLeak}). Any other
 * page was lost: allocated and never freed. Violations name the leaked pfns, grouped into runs
 * of consecutive pages, with the dump_page text of the first page of each of the first runs.
 *
 * <p>A bad page found while freeing or allocating a high-order block leaks the whole block,
 * though the kernel reports only the bad page; the allocator records such blocks
 * ({@link BadPageReporter#leakedBlocks()}) and they count as reported here.
 */
public final class PageLeakCheck implements ConsistencyCheck {
    /** The check's {@link #name()}, which prefixes its violations. */
    public static final String NAME = "page leak";

    private static final int SHOWN_RUNS = 5;

    private final PageAllocator alloc;
    private final BadPageReporter badPages;
    private final DumpPage dumpPage;
    private final Set<PageOwner> owners;
    private final Expectations expectations;

    @Inject
    public PageLeakCheck(PageAllocator alloc, BadPageReporter badPages, DumpPage dumpPage,
                         Set<PageOwner> owners, Expectations expectations) {
        this.alloc = alloc;
        this.badPages = badPages;
        this.dumpPage = dumpPage;
        this.owners = owners;
        this.expectations = expectations;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The pfns neither free, nor reported bad, nor owned, nor declared. Exact only at quiescence. */
    public BitSet leakedPfns() {
        BitSet accounted = alloc.freePfns();
        for (BadPageReport r : badPages.reports()) {
            accounted.set((int) r.pfn());
        }
        for (BadPageReporter.LeakedBlock b : badPages.leakedBlocks()) {
            accounted.set((int) b.pfn(), (int) b.pfn() + (1 << b.order()));
        }
        for (PageOwner o : owners) {
            o.markOwned(accounted);
        }
        expectations.markOwned(accounted);
        int nrPages = alloc.memMap().nrPages();
        BitSet leaked = new BitSet(nrPages);
        leaked.set(0, nrPages);
        leaked.andNot(accounted);
        return leaked;
    }

    @Override
    public List<String> check() {
        BitSet leaked = leakedPfns();
        if (leaked.isEmpty()) {
            return List.of();
        }
        Violations runs = new Violations(SHOWN_RUNS);
        for (int start = leaked.nextSetBit(0); start >= 0; ) {
            int end = leaked.nextClearBit(start);
            runs.add(describeRun(start, end));
            start = leaked.nextSetBit(end);
        }
        List<String> all = new ArrayList<>();
        all.add(leaked.cardinality() + " page(s) neither free, nor reported bad, nor owned");
        all.addAll(runs.list());
        return all;
    }

    private String describeRun(int start, int end) {
        MemMap memMap = alloc.memMap();
        String what = end - start == 1
                ? String.format(Locale.ROOT, "pfn 0x%x leaked:%n", start)
                : String.format(Locale.ROOT, "pfns 0x%x-0x%x leaked (%d pages), the first:%n",
                        start, end - 1, end - start);
        return what + dumpPage.dump(memMap.page(start), null);
    }
}
