package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/** {@code Kernel.close()}: the processes exit, RCU and the stocks drain, and every check runs. */
class KernelCloseTest {
    private static final KernelConfig SMALL = KernelConfig.memory("16M");
    private static final long ADDR = 0x10000000L;

    /** Maps and touches one anonymous page as {@code t}: an anon page and its page tables. */
    private static void touchOnePage(Kernel k, Task t) {
        MmStruct mm = t.taskStruct().mm();
        try (var running = k.enter(t)) {
            k.get(AddressSpaces.class).mmapAnonymous(mm, ADDR, MemMap.PAGE_SIZE, VM_READ | VM_WRITE);
            assertThat(k.get(MemoryMapping.class).handleAnonFault(mm.vmaLookup(ADDR), ADDR)).isZero();
        }
    }

    @Test
    void liveProcessesExitSoTheirPagesAndTablesAreNoLeak() {
        Kernel k = Kernel.boot(Era.LATEST, SMALL);
        k.cgroupfs().mkdir("/job");
        Task t = k.spawn("/job");
        touchOnePage(k, t);
        Task child = t.fork();

        k.close();

        assertThat(t.isAlive()).isFalse();
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void tablesFreedAfterAGracePeriodAreWaitedFor() {
        Kernel k = Kernel.boot(Era.V5_11, SMALL.arch(Arch.S390));
        k.cgroupfs().mkdir("/job");
        Task t = k.spawn("/job");
        touchOnePage(k, t);

        t.exit();                                        // s390 frees its tables through RCU

        k.close();
    }

    @Test
    void aLeakedPageFailsTheCloseWithItsDump() {
        Kernel k = Kernel.boot(Era.V4_8, SMALL);
        Page leaked = k.get(PageAllocator.class).allocPage(GFP_KERNEL);

        assertThatThrownBy(k::close).isInstanceOfSatisfying(ConsistencyFailure.class, f -> {
            assertThat(f.problems()).hasSize(2).first().asString().startsWith("page leak: 1 page(s)");
            assertThat(f).hasMessageStartingWith("kernel 4.8 (16M, 2 CPUs) failed its checks:")
                    .hasMessageContaining(String.format("pfn 0x%x leaked:", leaked.pfn()))
                    .hasMessageContaining(String.format("pfn:0x%x", leaked.pfn()));
        });
    }

    @Test
    void declaredLeaksAndBadPagesAreHonoured() {
        Kernel k = Kernel.boot(Era.LATEST, SMALL);
        PageAllocator alloc = k.get(PageAllocator.class);
        k.expectLeak(alloc.allocPage(GFP_KERNEL));
        Page mapped = alloc.allocPage(GFP_KERNEL);
        mapped.setMapcountWord(0);
        k.expectBadPage(mapped, "nonzero mapcount");
        alloc.freePage(mapped);

        k.close();
    }

    @Test
    void closingTwiceIsHarmlessEvenAfterAFailedClose() {
        Kernel k = Kernel.boot(Era.LATEST, SMALL);
        k.get(PageAllocator.class).allocPage(GFP_KERNEL);
        assertThatThrownBy(k::close).isInstanceOf(ConsistencyFailure.class);

        k.close();
    }

    @Test
    void aCallAfterCloseFailsNamingTheClosedKernel() {
        Kernel k = Kernel.boot(Era.LATEST, SMALL);
        Task t = k.spawn("/");
        k.close();

        assertThatThrownBy(() -> k.spawn("/")).isInstanceOf(IllegalStateException.class)
                .hasMessage("kernel latest (16M, 2 CPUs) is closed");
        assertThatThrownBy(k::cgroupfs).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(k::tasks).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::exit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> k.get(PageAllocator.class)).isInstanceOf(IllegalStateException.class);
    }
}
