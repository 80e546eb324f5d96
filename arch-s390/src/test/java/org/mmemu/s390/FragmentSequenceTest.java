package org.mmemu.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.KernelBug;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.page.Page;

/**
 * 2K PTE tables in the layouts that share pages: which half each allocation gets, which page
 * sits on {@code pgtable_list}, when a page goes back, and what RCU-pending halves do, with
 * exact page counts after every step.
 */
class FragmentSequenceTest {
    private S390Fixture f;

    @AfterEach
    void finish() {
        f.finish();
    }

    private void boot(FragmentLayout.Eras layout) {
        f = new S390Fixture(layout).withMm();
    }

    @ParameterizedTest
    @CsvSource({
        // layout         one half: _mapcount, _refcount   both halves: _mapcount, _refcount
        "MAPCOUNT_4_8,    0x00000001, 0x00000001,           0x00000003, 0x00000001",
        "REFCOUNT_4_18,   0xfffffbff, 0x01000001,           0xfffffbff, 0x03000001",
    })
    void theFragmentBitsLiveInTheLayoutsWord(FragmentLayout.Eras layout, String oneMapcount, String oneRefcount,
                                             String bothMapcount, String bothRefcount) {
        boot(layout);
        PageTable lower = f.pte();
        Page page = lower.page();

        assertThat(page.mapcountWord()).isEqualTo(Integer.parseUnsignedInt(oneMapcount.substring(2), 16));
        assertThat(page.refcount()).isEqualTo(Integer.parseUnsignedInt(oneRefcount.substring(2), 16));

        PageTable upper = f.pte();

        assertThat(page.mapcountWord()).isEqualTo(Integer.parseUnsignedInt(bothMapcount.substring(2), 16));
        assertThat(page.refcount()).isEqualTo(Integer.parseUnsignedInt(bothRefcount.substring(2), 16));
        f.tables.freeTable(f.mm, lower);
        f.tables.freeTable(f.mm, upper);
        assertThat(f.m.isFree(page)).as("_mapcount is -1 again, else the free would be a bad page").isTrue();
    }

    @ParameterizedTest
    @EnumSource(names = {"MAPCOUNT_4_8", "REFCOUNT_4_18"})
    void twoTablesShareOnePageAndAFreedHalfIsHandedOutAgain(FragmentLayout.Eras layout) {
        boot(layout);

        PageTable lower = f.pte();
        Page page = lower.page();
        assertThat(lower.offset()).isZero();
        assertThat(lower.nrEntries()).isEqualTo(256);
        assertThat(f.used()).isEqualTo(1);
        assertThat(f.nrPagetable()).as("constructed once per page").isEqualTo(1);
        assertThat(f.bits(page)).isEqualTo(0x01);
        assertThat(f.listed()).containsExactly(page);

        PageTable upper = f.pte();
        assertThat(upper.page()).isSameAs(page);
        assertThat(upper.offset()).isEqualTo(2048);
        assertThat(upper.physAddress()).isEqualTo(lower.physAddress() + 2048);
        assertThat(f.used()).isEqualTo(1);
        assertThat(f.bits(page)).isEqualTo(0x03);
        assertThat(f.listed()).as("full pages leave the list").isEmpty();

        f.tables.freeTable(f.mm, lower);
        assertThat(f.bits(page)).isEqualTo(0x02);
        assertThat(f.listed()).containsExactly(page);
        assertThat(f.used()).isEqualTo(1);

        PageTable again = f.pte();
        assertThat(again.page()).isSameAs(page);
        assertThat(again.offset()).isZero();
        assertThat(f.bits(page)).isEqualTo(0x03);

        f.tables.freeTable(f.mm, upper);
        assertThat(f.used()).isEqualTo(1);
        f.tables.freeTable(f.mm, again);
        assertThat(f.used()).as("both halves free: the page goes").isZero();
        assertThat(f.nrPagetable()).isZero();
        assertThat(f.listed()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(names = {"MAPCOUNT_4_8", "REFCOUNT_4_18"})
    void aHalfPendingRcuIsNotHandedOutUntilTheGracePeriodEnds(FragmentLayout.Eras layout) {
        boot(layout);
        PageTable a = f.pte();
        PageTable b = f.pte();
        Page p = a.page();

        f.freeRcu(a);

        assertThat(f.bits(p)).as("upper allocated, lower pending").isEqualTo(0x12);
        assertThat(f.listed()).containsExactly(p);
        assertThat(f.rcu.pendingCallbacks()).isEqualTo(1);

        PageTable c = f.pte();
        Page q = c.page();
        assertThat(q).as("the pending half is not reused: a fresh page").isNotSameAs(p);
        assertThat(f.used()).isEqualTo(2);
        assertThat(f.listed()).as("the fresh page goes first").containsExactly(q, p);

        f.rcu.synchronizeRcu();

        assertThat(f.bits(p)).isEqualTo(0x02);
        assertThat(f.listed()).containsExactly(q, p);
        assertThat(f.used()).isEqualTo(2);

        PageTable d = f.pte();
        assertThat(d.page()).as("only the first listed page is looked at").isSameAs(q);
        assertThat(d.offset()).isEqualTo(2048);
        PageTable e = f.pte();
        assertThat(e.page()).isSameAs(p);
        assertThat(e.offset()).as("the half the grace period released").isZero();
        assertThat(f.listed()).isEmpty();
        assertThat(f.used()).isEqualTo(2);
        assertThat(f.nrPagetable()).isEqualTo(2);

        f.freeRcu(b, c, d, e);
        assertThat(f.used()).as("every half pending: nothing freed yet").isEqualTo(2);
        assertThat(f.bits(p)).isEqualTo(0x30);
        assertThat(f.listed()).isEmpty();

        f.rcu.synchronizeRcu();
        assertThat(f.used()).isZero();
        assertThat(f.nrPagetable()).isZero();
    }

    @ParameterizedTest
    @EnumSource(names = {"MAPCOUNT_4_8", "REFCOUNT_4_18"})
    void aPageWhoseLastHalfWaitsForRcuLeavesTheListAndGoesAfterTheGracePeriod(FragmentLayout.Eras layout) {
        boot(layout);
        PageTable only = f.pte();
        Page page = only.page();

        f.freeRcu(only);

        assertThat(f.bits(page)).isEqualTo(0x10);
        assertThat(f.listed()).as("no half to hand out").isEmpty();
        assertThat(f.used()).isEqualTo(1);
        PageTable next = f.pte();
        assertThat(next.page()).isNotSameAs(page);
        assertThat(f.used()).isEqualTo(2);

        f.rcu.synchronizeRcu();

        assertThat(f.m.isFree(page)).isTrue();
        assertThat(f.used()).isEqualTo(1);
        f.tables.freeTable(f.mm, next);
        assertThat(f.used()).isZero();
    }

    @ParameterizedTest
    @EnumSource(names = {"MAPCOUNT_4_8", "REFCOUNT_4_18"})
    void aHalfFreedAtOnceWhileTheOtherWaitsForRcuKeepsThePageForTheGracePeriod(FragmentLayout.Eras layout) {
        boot(layout);
        PageTable a = f.pte();
        PageTable b = f.pte();
        Page page = a.page();
        f.freeRcu(b);
        assertThat(f.bits(page)).isEqualTo(0x21);

        f.tables.freeTable(f.mm, a);

        assertThat(f.bits(page)).isEqualTo(0x20);
        assertThat(f.listed()).isEmpty();
        assertThat(f.used()).isEqualTo(1);
        f.rcu.synchronizeRcu();
        assertThat(f.used()).isZero();
    }

    @ParameterizedTest
    @EnumSource(names = {"MAPCOUNT_4_8", "REFCOUNT_4_18"})
    void freeingAHalfTwiceIsAKernelBugAndChangesNothing(FragmentLayout.Eras layout) {
        boot(layout);
        PageTable a = f.pte();
        PageTable b = f.pte();
        f.tables.freeTable(f.mm, a);

        assertThatThrownBy(() -> f.tables.freeTable(f.mm, a))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("page_table_free of the lower 2K table")
                .hasMessageContaining("not allocated")
                .hasMessageContaining("page dumped because");
        assertThatThrownBy(() -> f.freeRcu(a))
                .isInstanceOf(KernelBug.class).hasMessageContaining("page_table_free_rcu");

        assertThat(f.bits(b.page())).isEqualTo(0x02);
        assertThat(f.listed()).containsExactly(b.page());
        f.tables.freeTable(f.mm, b);
        assertThat(f.used()).isZero();
    }

    @ParameterizedTest
    @EnumSource(names = {"MAPCOUNT_4_8", "REFCOUNT_4_18"})
    void completingAnRcuFreeThatIsNotPendingIsAKernelBug(FragmentLayout.Eras layout) {
        boot(layout);
        PageTable a = f.pte();

        assertThatThrownBy(() -> f.tables.rcuFreeTable(a))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("__tlb_remove_table of the lower 2K table")
                .hasMessageContaining("not pending an RCU free");

        assertThat(f.bits(a.page())).isEqualTo(0x01);
        f.tables.freeTable(f.mm, a);
    }
}
