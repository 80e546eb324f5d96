package org.mmemu.core.testing.junit;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.alloc.BadPageReport;
import org.mmemu.core.check.PageOwner;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MemMap;

/**
 * What a test declared it provokes: bad-page reports and deliberately leaked pages. Expected
 * leaks are handed to the leak check as owned pages, so only the rest counts as lost.
 */
final class Expectations implements PageOwner {
    /** A bad-page report the test provokes; {@code pfn} is {@link #ANY_PFN} if any page will do. */
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

    /** Pages the test leaks on purpose: {@code nrPages} from {@code pfn}. */
    private record Leak(int pfn, int nrPages) {
    }

    private final List<BadPage> badPages = new ArrayList<>();
    private final List<Leak> leaks = new ArrayList<>();

    synchronized void expectBadPage(String reason) {
        badPages.add(new BadPage(BadPage.ANY_PFN, reason));
    }

    synchronized void expectBadPage(long pfn, String reason) {
        badPages.add(new BadPage(pfn, reason));
    }

    synchronized void expectLeak(int pfn, int nrPages) {
        leaks.add(new Leak(pfn, nrPages));
    }

    @Override
    public synchronized void markOwned(BitSet owned) {
        for (Leak l : leaks) {
            owned.set(l.pfn(), l.pfn() + l.nrPages());
        }
    }

    /**
     * The reports nobody expected and the expectations that did not come true. Each report
     * satisfies one expectation: one that names its pfn if there is one, else one that names
     * only its reason. (Reports an exact expectation could take are interchangeable, so taking
     * exact matches first never leaves a satisfiable expectation unmet.)
     */
    synchronized List<String> problems(List<BadPageReport> reports, BitSet free, MemMap memMap,
                                       DumpPage dumpPage) {
        List<String> problems = new ArrayList<>();
        boolean[] met = new boolean[badPages.size()];
        for (BadPageReport r : reports) {
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
                problems.add("expected bad page " + badPages.get(i) + " was not reported");
            }
        }
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
            BadPage e = badPages.get(i);
            if (!met[i] && (e.pfn() != BadPage.ANY_PFN) == exact && e.matches(r)) {
                return i;
            }
        }
        return -1;
    }
}
