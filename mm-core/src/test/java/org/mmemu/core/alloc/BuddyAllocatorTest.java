package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.alloc.BuddyInvariants.freeCounts;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmemu.core.Machine;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.vmstat.VmStatItem;

/** Zones, free lists, split and merge, and the per-CPU lists of order-0 pages. */
class BuddyAllocatorTest {

    @Test
    void bootHandsAllMemoryToTheBuddyInLargestBlocks() {
        Machine m = Machine.boot();
        Zone zone = m.alloc.zone();
        int[] expected = new int[Zone.MAX_ORDER];
        expected[Zone.MAX_ORDER - 1] = 16384 / 1024;
        assertThat(freeCounts(zone)).containsExactly(expected);
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384);
        assertThat(m.alloc.nrPcpPages()).isZero();
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aPfnWalkerReadsTheOrderOfAFreeBlockFromItsHeadOnly() {
        Machine m = Machine.boot();
        Page page = m.alloc.allocPages(GFP_KERNEL, 3);
        // The order-3 block came from splitting a max-order one: its buddy is free at order 3.
        Page buddy = m.memMap.page((int) (page.pfn() ^ 8));
        assertThat(Zone.buddyOrderUnsafe(buddy, m.types)).as("the free buddy's head").isEqualTo(3);
        assertThat(Zone.buddyOrderUnsafe(m.memMap.page((int) buddy.pfn() + 1), m.types))
                .as("a page inside the free block").isEqualTo(-1);
        assertThat(Zone.buddyOrderUnsafe(page, m.types)).as("an allocated block").isEqualTo(-1);

        buddy.setPrivateWord(Zone.MAX_ORDER);
        assertThat(Zone.buddyOrderUnsafe(buddy, m.types)).as("an order word out of range").isEqualTo(-1);
        buddy.setPrivateWord(3);

        m.alloc.freePages(page, 3);
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void bootOfAnUnalignedSizeUsesSmallerBlocksAtTheEnd() {
        // 4 MiB + 12 KiB: one order-10 block, then an order-1 and an order-0 block.
        Machine m = Machine.boot(MemoryConfig.of(String.valueOf((4 << 20) + 3 * 4096)));
        int[] expected = new int[Zone.MAX_ORDER];
        expected[10] = 1;
        expected[1] = 1;
        expected[0] = 1;
        assertThat(freeCounts(m.alloc.zone())).containsExactly(expected);
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 9, 10})
    void allocatingOrderKSplitsExactlyOneLargerBlockAndFreeingMergesItBack(int order) {
        Machine m = Machine.boot();
        Zone zone = m.alloc.zone();
        int[] boot = freeCounts(zone);

        Page page = m.alloc.allocPages(GFP_KERNEL, order);

        int[] expected = boot.clone();
        expected[10]--;
        for (int o = order; o < 10; o++) {
            expected[o]++;
        }
        assertThat(freeCounts(zone)).as("one order-10 block split down to order %d", order).containsExactly(expected);
        assertThat(page.pfn() % (1 << order)).isZero();
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(page.mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384 - (1 << order));
        BuddyInvariants.check(m.alloc, m.types);

        m.alloc.freePages(page, order);
        assertThat(freeCounts(zone)).containsExactly(boot);
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freedBuddiesMergeIntoTheOrderAbove() {
        Machine m = Machine.boot();
        Zone zone = m.alloc.zone();
        int[] boot = freeCounts(zone);
        Page a = m.alloc.allocPages(GFP_KERNEL, 1);
        Page b = m.alloc.allocPages(GFP_KERNEL, 1);
        assertThat(b.pfn()).as("the second order-1 block is the first one's buddy").isEqualTo(a.pfn() ^ 2);

        m.alloc.freePages(a, 1);
        assertThat(zone.nrFree(1)).as("a alone: its buddy is allocated").isEqualTo(1);
        assertThat(m.types.has(a, PageType.BUDDY)).isTrue();
        assertThat(a.privateWord()).isEqualTo(1);

        m.alloc.freePages(b, 1);
        assertThat(freeCounts(zone)).as("a+b merge, and on up to order 10").containsExactly(boot);
        assertThat(m.types.has(b, PageType.BUDDY)).as("b is inside the merged block").isFalse();
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void splitAndMergeRoundTripsRestoreExactFreeCounts() {
        Machine m = Machine.boot();
        Zone zone = m.alloc.zone();
        int[] boot = freeCounts(zone);
        List<Page> pages = new ArrayList<>();
        int[] orders = {0, 3, 1, 10, 0, 7, 2, 2, 0, 5, 9, 4, 0, 6, 8, 1};
        for (int o : orders) {
            pages.add(m.alloc.allocPages(GFP_KERNEL, o));
        }
        BuddyInvariants.check(m.alloc, m.types);
        // Free in a different order from the allocations.
        for (int i = orders.length - 1; i >= 0; i -= 2) {
            m.alloc.freePages(pages.get(i), orders[i]);
        }
        for (int i = 0; i < orders.length; i += 2) {
            m.alloc.freePages(pages.get(i), orders[i]);
        }
        m.alloc.drainAllPages();
        assertThat(freeCounts(zone)).containsExactly(boot);
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void zoneBatchsizeFollowsTheKernelFormula() {
        assertThat(Zone.zoneBatchsize(16384)).as("64M").isEqualTo(3);
        assertThat(Zone.zoneBatchsize(262144)).as("1G").isEqualTo(63);
        assertThat(Zone.zoneBatchsize(4L << 18)).as("4G: capped at 1 MiB worth").isEqualTo(63);
        assertThat(Zone.zoneBatchsize(8192)).as("32M").isEqualTo(1);
        assertThat(Zone.zoneBatchsize(4096)).as("16M").isZero();
    }

    @Test
    void perCpuHighIsSixTimesZoneBatchsizeAndTheBatchAtLeastOne() {
        Machine m64 = Machine.boot();
        assertThat(m64.alloc.zone().batch()).isEqualTo(3);
        assertThat(m64.alloc.zone().high()).isEqualTo(18);

        Machine m1g = Machine.boot(MemoryConfig.of("1G").withCpus(1));
        assertThat(m1g.alloc.zone().batch()).isEqualTo(63);
        assertThat(m1g.alloc.zone().high()).isEqualTo(378);

        // 16M: zone_batchsize 0 -> pcp batch 1, high 0: every freed page goes straight back.
        Machine m16 = Machine.boot(MemoryConfig.of("16M"));
        assertThat(m16.alloc.zone().batch()).isEqualTo(1);
        assertThat(m16.alloc.zone().high()).isZero();
        Page p = m16.alloc.allocPage(GFP_KERNEL);
        assertThat(m16.alloc.nrPcpPages()).isZero();
        m16.alloc.freePage(p);
        assertThat(m16.alloc.nrPcpPages()).isZero();
        assertThat(m16.alloc.nrFreePages()).isEqualTo(4096);

        assertThat(m64.leakedPages()).isZero();
        assertThat(m1g.leakedPages()).isZero();
        assertThat(m16.leakedPages()).isZero();
    }

    @Test
    void perCpuListIsRefilledByBatchAndExcludedFromNrFreePages() {
        Machine m = Machine.boot();
        int batch = m.alloc.zone().batch();
        Page first = m.alloc.allocPage(GFP_KERNEL);
        assertThat(m.alloc.nrPcpPages()).isEqualTo(batch - 1);
        assertThat(m.alloc.nrFreePages()).as("NR_FREE_PAGES excludes per-CPU pages").isEqualTo(16384 - batch);

        List<Page> more = new ArrayList<>();
        for (int i = 1; i < batch; i++) {
            more.add(m.alloc.allocPage(GFP_KERNEL));
        }
        assertThat(m.alloc.nrPcpPages()).as("used up without touching the buddy").isZero();
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384 - batch);
        more.add(m.alloc.allocPage(GFP_KERNEL));
        assertThat(m.alloc.nrPcpPages()).as("refilled by one more batch").isEqualTo(batch - 1);
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384 - 2L * batch);

        m.alloc.freePage(first);
        more.forEach(m.alloc::freePage);
        assertThat(m.alloc.nrFreePages() + m.alloc.nrPcpPages()).isEqualTo(16384);
        m.alloc.drainAllPages();
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384);
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freeingSpillsABatchWhenTheListReachesHigh() {
        Machine m = Machine.boot();
        int batch = m.alloc.zone().batch();
        int high = m.alloc.zone().high();
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < high + batch; i++) {
            pages.add(m.alloc.allocPage(GFP_KERNEL));
        }
        m.alloc.drainAllPages();
        // free_unref_page_commit: list_add, then if count >= high free a batch from the tail.
        int count = 0;
        int spilled = 0;
        for (int i = 0; i < pages.size(); i++) {
            m.alloc.freePage(pages.get(i));
            if (++count >= high) {
                count -= batch;
                spilled += batch;
            }
            assertThat(m.alloc.nrPcpPages()).as("after %d frees", i + 1).isEqualTo(count);
        }
        assertThat(spilled).isEqualTo(2 * batch);
        // The spilled pages are the coldest, i.e. the first freed.
        java.util.BitSet onPcp = BuddyInvariants.perCpuPfns(m.alloc);
        for (int i = 0; i < pages.size(); i++) {
            assertThat(onPcp.get((int) pages.get(i).pfn())).as("page %d on the list", i).isEqualTo(i >= spilled);
        }
        m.alloc.drainAllPages();
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void eachCpuHasItsOwnListAndDrainAllPagesEmptiesThemAll() {
        Machine m = Machine.boot();
        m.cpus.bind(0);
        Page p0 = m.alloc.allocPage(GFP_KERNEL);
        m.cpus.bind(1);
        Page p1 = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(p1);
        m.cpus.bind(0);
        m.alloc.freePage(p0);
        int batch = m.alloc.zone().batch();
        assertThat(m.alloc.nrPcpPages()).isEqualTo(2L * batch);

        m.alloc.drainLocalPages();
        assertThat(m.alloc.nrPcpPages()).as("cpu 1's list is still there").isEqualTo(batch);
        m.alloc.drainAllPages();
        assertThat(m.alloc.nrPcpPages()).isZero();
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384);
        m.cpus.unbind();
        BuddyInvariants.check(m.alloc, m.types);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void allocAndFreeAreCountedInVmstat() {
        Machine m = Machine.boot();
        Page a = m.alloc.allocPages(GFP_KERNEL, 3);
        Page b = m.alloc.allocPage(GFP_KERNEL);
        assertThat(m.vmStat.read(VmStatItem.PGALLOC)).isEqualTo(9);
        m.alloc.freePages(a, 3);
        m.alloc.freePage(b);
        assertThat(m.vmStat.read(VmStatItem.PGFREE)).isEqualTo(9);
        assertThat(m.vmStat.format()).contains("pgalloc_normal 9\n").contains("pgfree 9\n");
        assertThat(m.leakedPages()).isZero();
    }
}
