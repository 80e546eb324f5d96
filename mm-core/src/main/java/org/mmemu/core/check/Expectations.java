package org.mmemu.core.check;

import static java.util.Objects.requireNonNull;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.alloc.BadPageReport;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;

/**
 * What the code driving a machine declared it provokes: bad-page reports and deliberately
 * leaked pages. One per machine; the test kit and the {@code Kernel} facade declare through it
 * and end with {@link ConsistencyChecks#runWithExpectations()}, which fails on a report nobody
 * declared and on a declaration that did not come true. The {@link PageLeakCheck} counts
 * declared leaks as owned, so only the rest is lost.
 */
public final class Expectations implements PageOwner {
    /** A bad-page report declared; {@code pfn} is {@link #ANY_PFN} if any page will do. */
    private record BadPage(long pfn, String reason) {
        static final long ANY_PFN = -1;

        boolean matches(BadPageReport r) {
            return r.reason().equals(reason) && (pfn == ANY_PFN || r.pfn() == pfn);
        }

        @Override
        public String toString() {
            return pfn == ANY_PFN ? "\"" + reason + "\""
                    : String.format(Locale.ROOT, "\"%s\" at pfn 0x%x", reason, pfn);
        }
    }

    /** Pages leaked on purpose: {@code nrPages} from {@code pfn}. */
    private record Leak(int pfn, int nrPages) {
    }

    private final PageAllocator alloc;
    private final BadPageReporter badPages;
    private final DumpPage dumpPage;
    private final List<BadPage> expectedBadPages = new ArrayList<>();
    private final List<Leak> leaks = new ArrayList<>();

    @Inject
    public Expectations(PageAllocator alloc, BadPageReporter badPages, DumpPage dumpPage) {
        this.alloc = alloc;
        this.badPages = badPages;
        this.dumpPage = dumpPage;
    }

    /** One bad-page report with this reason (as the kernel words it) will happen. */
    public synchronized void expectBadPage(String reason) {
        expectedBadPages.add(new BadPage(BadPage.ANY_PFN, requireNonNull(reason, "reason")));
    }

    /** One bad-page report about {@code page} with this reason will happen. */
    public synchronized void expectBadPage(Page page, String reason) {
        expectedBadPages.add(new BadPage(page.pfn(), requireNonNull(reason, "reason")));
    }

    /**
     * {@code page} stays allocated on purpose (the whole compound page if it is a compound
     * head); it is a problem if the page is free at the end.
     */
    public void expectLeak(Page page) {
        int order = page.testFlag(PageFlags.PG_head) ? CompoundHead.compoundOrder(alloc.memMap(), page) : 0;
        expectLeak(page, order);
    }

    /** The block of {@code 2^order} pages at {@code page} stays allocated on purpose. */
    public synchronized void expectLeak(Page page, int order) {
        leaks.add(new Leak((int) page.pfn(), 1 << order));
    }

    /** Marks the declared leaks. */
    @Override
    public synchronized void markOwned(BitSet owned) {
        for (Leak l : leaks) {
            owned.set(l.pfn(), l.pfn() + l.nrPages());
        }
    }

    /**
     * The reports nobody declared and the declarations that did not come true. Each report
     * satisfies one declaration: one that names its pfn if there is one, else one that names
     * only its reason. (Reports an exact declaration could take are interchangeable, so taking
     * exact matches first never leaves a satisfiable declaration unmet.) Exact only at
     * quiescence.
     */
    public synchronized List<String> problems() {
        List<String> problems = new ArrayList<>();
        boolean[] met = new boolean[expectedBadPages.size()];
        MemMap memMap = alloc.memMap();
        for (BadPageReport r : badPages.reports()) {
            int i = unmetMatch(r, met, true);
            if (i < 0) {
                i = unmetMatch(r, met, false);
            }
            if (i >= 0) {
                met[i] = true;
            } else {
                problems.add(String.format(Locale.ROOT, "unexpected bad page: pfn 0x%x, \"%s\","
                        + " in process %s (declare it with expectBadPage(\"%s\") if the test"
                        + " provokes it)%n%s", r.pfn(), r.reason(), r.comm(), r.reason(),
                        dumpPage.dump(memMap.pfnToPage(r.pfn()), null)));
            }
        }
        for (int i = 0; i < met.length; i++) {
            if (!met[i]) {
                problems.add("expected bad page " + expectedBadPages.get(i) + " was not reported");
            }
        }
        BitSet free = alloc.freePfns();
        for (Leak l : leaks) {
            int freePfn = free.nextSetBit(l.pfn());
            if (freePfn >= 0 && freePfn < l.pfn() + l.nrPages()) {
                String pages = l.nrPages() == 1
                        ? String.format(Locale.ROOT, "pfn 0x%x", l.pfn())
                        : String.format(Locale.ROOT, "pfns 0x%x-0x%x", l.pfn(), l.pfn() + l.nrPages() - 1);
                problems.add(String.format(Locale.ROOT, "expected leak of %s did not happen:"
                        + " pfn 0x%x is free", pages, freePfn));
            }
        }
        return problems;
    }

    private int unmetMatch(BadPageReport r, boolean[] met, boolean exact) {
        for (int i = 0; i < met.length; i++) {
            BadPage e = expectedBadPages.get(i);
            if (!met[i] && (e.pfn() != BadPage.ANY_PFN) == exact && e.matches(r)) {
                return i;
            }
        }
        return -1;
    }
}
