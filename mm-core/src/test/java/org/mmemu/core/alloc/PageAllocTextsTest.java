package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.core.Machine;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.core.sched.Jiffies;

/**
 * The texts of mm/page_alloc.c follow the era: {@code check_new_page_bad}'s reasons until 5.9's
 * {@code page_bad_reason}, and {@code warn_alloc_failed} (4.7, 4.8) without the nodemask that
 * {@code warn_alloc} (4.18 on) prints, each with its release's ratelimit.
 */
class PageAllocTextsTest {
    private static Machine boot(String texts) {
        return Machine.boot(b -> PolicyBinder.policyBinder(b, PageAllocTexts.class).select(texts),
                b -> PolicyBinder.policyBinder(b, GfpLayout.class).select("gfp.V4_8"));
    }

    private static void assertConsistent(Machine m) {
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "pgalloctexts.V4_7,  nonzero _count,    PAGE_FLAGS_CHECK_AT_PREP flag set",
        "pgalloctexts.V4_18, nonzero _count,    PAGE_FLAGS_CHECK_AT_PREP flag set",
        "pgalloctexts.V5_9,  nonzero _refcount, PAGE_FLAGS_CHECK_AT_PREP flag(s) set",
    })
    void aBadPageTakenFromAFreeListGivesTheErasReason(String texts, String refcount, String flags) {
        Machine m = boot(texts);
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(p);  // at the head of this CPU's list
        p.setRefcount(1);
        Page q = m.alloc.allocPage(GFP_KERNEL);
        assertThat(m.badPages.reports()).last().satisfies(r -> {
            assertThat(r.pfn()).isEqualTo(p.pfn());
            assertThat(r.reason()).isEqualTo(refcount);
        });

        Page r = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(r);
        r.setFlag(PageFlags.PG_dirty);
        Page s = m.alloc.allocPage(GFP_KERNEL);
        assertThat(m.badPages.reports()).last().satisfies(rep -> {
            assertThat(rep.pfn()).isEqualTo(r.pfn());
            assertThat(rep.reason()).isEqualTo(flags);
        });
        m.alloc.freePage(q);
        m.alloc.freePage(s);
        assertConsistent(m);
    }

    @ParameterizedTest
    @CsvSource({"pgalloctexts.V4_7", "pgalloctexts.V4_18", "pgalloctexts.V5_9"})
    void freeTimeReasonsAreTheSameInEveryEra(String texts) {
        Machine m = boot(texts);
        Page p = m.alloc.allocPage(GFP_KERNEL);
        p.setFlag(PageFlags.PG_locked);
        m.alloc.freePage(p);
        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("PAGE_FLAGS_CHECK_AT_FREE flag(s) set"));
        assertConsistent(m);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "pgalloctexts.V4_7  | swapper/0: page allocation failure: order:1, mode:0x24000c0(GFP_KERNEL)"
                + " | warn_alloc_failed | 5  | 10",
        "pgalloctexts.V4_18 | swapper/0: page allocation failure: order:1, mode:0x24000c0(GFP_KERNEL),"
                + " nodemask=(null) | warn_alloc | 5 | 10",
        "pgalloctexts.V5_9  | swapper/0: page allocation failure: order:1, mode:0x24000c0(GFP_KERNEL),"
                + " nodemask=(null) | warn_alloc | 10 | 1",
    })
    void theFailureWarningHasTheErasLineAndRatelimit(String texts, String line, String function,
                                                      int seconds, int burst) {
        Machine m = boot(texts);
        List<Page> all = new ArrayList<>();
        Page p;
        while ((p = m.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, 10)) != null) {
            all.add(p);
        }
        for (int i = 0; i < burst + 1; i++) {
            assertThat(m.alloc.allocPages(GFP_KERNEL, 1)).isNull();
        }
        assertThat(m.log.lines()).first().asString().isEqualTo(line);
        assertThat(m.log.lines().stream().filter(l -> l.contains("page allocation failure")))
                .as("the burst").hasSize(burst);
        m.jiffies.advance(seconds * (long) Jiffies.HZ + 1);
        assertThat(m.alloc.allocPages(GFP_KERNEL, 1)).isNull();
        assertThat(m.log.lines()).contains(function + ": 1 callbacks suppressed");
        all.forEach(q -> m.alloc.freePages(q, 10));
        assertConsistent(m);
    }
}
