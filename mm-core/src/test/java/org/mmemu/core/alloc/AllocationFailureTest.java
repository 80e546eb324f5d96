package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_HIGHMEM;
import static org.mmemu.core.page.Gfp.__GFP_NOFAIL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.policy.PolicyBinder;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Jiffies;
import org.mmemu.core.sched.Tasks.TaskScope;

/** What the allocator does when it cannot, or must not, hand out memory. */
class AllocationFailureTest {
    private final Machine m = Machine.boot();
    private final List<Page> hog = new ArrayList<>();

    /** Takes every page in order-10 blocks; the next order-10 request must fail. */
    private void exhaust() {
        Page p;
        while ((p = m.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, 10)) != null) {
            hog.add(p);
        }
        assertThat(hog).hasSize(16);
        assertThat(m.alloc.nrFreePages()).isZero();
    }

    private void release() {
        hog.forEach(p -> m.alloc.freePages(p, 10));
        hog.clear();
        assertThat(m.leakedPages()).isZero();
    }

    private long failureLines() {
        return m.log.lines().stream().filter(l -> l.contains("page allocation failure")).count();
    }

    @Test
    void exhaustedMemoryReturnsNullWithTheKernelsWarning() {
        exhaust();
        assertThat(m.log.lines()).isEmpty();
        Page p;
        try (TaskScope ignored = m.tasks.enter(m.tasks.create("cat", null))) {
            p = m.alloc.allocPages(GFP_KERNEL_ACCOUNT | __GFP_COMP, 3);
        }
        assertThat(p).isNull();
        assertThat(m.log.lines()).contains(
                "cat: page allocation failure: order:3, mode:0x440cc0(GFP_KERNEL_ACCOUNT|__GFP_COMP), nodemask=(null)",
                "Node 0 Normal free:0kB");
        assertThat(m.alloc.getFreePages(GFP_KERNEL | __GFP_NOWARN, 0)).as("__get_free_pages fails with 0").isZero();
        release();
    }

    @Test
    void theFailureWarningUsesTheErasGfpLayout() {
        Machine m48 = Machine.boot(b -> PolicyBinder.policyBinder(b, GfpLayout.class).select("gfp.V4_8"));
        List<Page> all = new ArrayList<>();
        Page p;
        while ((p = m48.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, 10)) != null) {
            all.add(p);
        }
        assertThat(m48.alloc.allocPages(GFP_KERNEL, 1)).isNull();
        assertThat(m48.log.lines()).first().asString()
                .endsWith(": page allocation failure: order:1, mode:0x24000c0(GFP_KERNEL), nodemask=(null)");
        all.forEach(q -> m48.alloc.freePages(q, 10));
        assertThat(m48.leakedPages()).isZero();
    }

    @Test
    void noWarnSilencesTheWarningWithoutUsingUpTheRatelimit() {
        exhaust();
        assertThat(m.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, 0)).isNull();
        assertThat(m.log.lines()).isEmpty();
        assertThat(m.alloc.allocPages(GFP_KERNEL, 0)).isNull();
        assertThat(failureLines()).isEqualTo(1);
        release();
    }

    @Test
    void failureWarningsAreRatelimitedToOnePerTenSeconds() {
        exhaust();
        assertThat(m.alloc.allocPages(GFP_KERNEL, 0)).isNull();
        assertThat(m.alloc.allocPages(GFP_KERNEL, 1)).isNull();
        m.jiffies.advance(10L * Jiffies.HZ);
        assertThat(m.alloc.allocPages(GFP_KERNEL, 2)).isNull();
        assertThat(failureLines()).as("still inside the interval").isEqualTo(1);

        m.jiffies.advance(1);
        assertThat(m.alloc.allocPages(GFP_KERNEL, 3)).isNull();
        List<String> lines = m.log.lines();
        int suppressed = lines.indexOf("warn_alloc: 2 callbacks suppressed");
        assertThat(suppressed).isPositive();
        assertThat(lines.get(suppressed + 1)).contains("page allocation failure: order:3");
        assertThat(failureLines()).isEqualTo(2);
        release();
    }

    @Test
    void noFailCannotFailSoItIsAKernelBug() {
        exhaust();
        assertThatThrownBy(() -> m.alloc.allocPages(GFP_KERNEL | __GFP_NOFAIL, 0))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("__GFP_NOFAIL allocation of order 0 cannot be satisfied");
        release();
    }

    @Test
    void anOrderOfMaxOrderOrMoreWarnsOnceAndReturnsNull() {
        assertThat(m.alloc.allocPages(GFP_KERNEL | __GFP_NOWARN, Zone.MAX_ORDER)).isNull();
        assertThat(m.log.lines()).isEmpty();
        assertThat(m.alloc.allocPages(GFP_KERNEL, Zone.MAX_ORDER)).isNull();
        assertThat(m.alloc.allocPages(GFP_KERNEL | __GFP_NOFAIL, 20)).isNull();
        assertThat(m.log.lines()).singleElement().asString()
                .matches("WARNING: CPU: \\d+ PID: 0 at mm/page_alloc.c:4933 __alloc_pages_nodemask");
        assertThat(m.log.isTainted(KernelLog.TAINT_WARN)).isTrue();
        assertThat(m.alloc.nrFreePages()).isEqualTo(16384);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void getFreePagesReturnsADirectMapAddressThatFreePagesTakesBack() {
        long addr = m.alloc.getFreePages(GFP_KERNEL, 2);
        assertThat(addr).isNotZero();
        assertThat(addr & (MemMap.PAGE_SIZE - 1)).isZero();
        Page page = m.memMap.virtToPage(addr);
        assertThat(MemMap.pageAddress(page)).isEqualTo(addr);
        assertThat(m.memMap.virtToPage(addr + 3 * MemMap.PAGE_SIZE + 17).pfn()).isEqualTo(page.pfn() + 3);
        assertThat(page.refcount()).isEqualTo(1);
        m.alloc.freePages(addr, 2);
        assertThat(page.refcount()).isZero();

        long zeroed = m.alloc.getZeroedPage(GFP_KERNEL);
        m.alloc.freePages(zeroed, 0);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void getFreePagesDropsHighmem() {
        long addr = m.alloc.getFreePages(GFP_KERNEL | __GFP_HIGHMEM, 0);
        assertThat(addr).isBetween(MemMap.PAGE_OFFSET, MemMap.PAGE_OFFSET + (16384L << MemMap.PAGE_SHIFT) - 1);
        m.alloc.freePages(addr, 0);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freePagesOfAddressZeroDoesNothing() {
        BitSet before = m.alloc.freePfns();
        m.alloc.freePages(0L, 0);
        m.alloc.freePages(0L, 5);
        assertThat(m.alloc.freePfns()).isEqualTo(before);
        assertThat(m.log.lines()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freePagesOfAnAddressOutsideTheDirectMapIsAKernelBug() {
        assertThatThrownBy(() -> m.alloc.freePages(MemMap.VMALLOC_START, 0))
                .isInstanceOf(KernelBug.class).hasMessageContaining("not a direct-map address");
        assertThatThrownBy(() -> m.alloc.freePages(MemMap.PAGE_OFFSET + (16384L << MemMap.PAGE_SHIFT), 0))
                .isInstanceOf(KernelBug.class);
        assertThat(m.leakedPages()).isZero();
    }
}
