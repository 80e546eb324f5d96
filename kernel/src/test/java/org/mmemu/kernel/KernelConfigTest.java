package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.mm.GenericPageTableAllocator;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.sched.Cpus;

/** What {@link KernelConfig} builds, and {@code Kernel.boot(Era)}'s machine. */
class KernelConfigTest {
    @Test
    void bootOfAnEraAloneIsOneGigabyteTwoCpusGenericAndAccounted() {
        try (Kernel k = Kernel.boot(Era.LATEST)) {
            assertThat(k.get(MemoryConfig.class).bytes()).isEqualTo(1L << 30);
            assertThat(k.get(Cpus.class).nrCpus()).isEqualTo(2);
            assertThat(k.get(PageTableAllocator.class).policyName()).isEqualTo(GenericPageTableAllocator.NAME);
            assertThat(chargedByOneAccountedPage(k)).isEqualTo(MemMap.PAGE_SIZE);
        }
    }

    @Test
    void eachSettingReachesTheMachine() {
        KernelConfig config = KernelConfig.memory("32M").cpus(3).kmemAccounting(false)
                .override(binder -> policyBinder(binder, PageTypeEncoding.class).select("pagetype.Bits418"));

        try (Kernel k = Kernel.boot(Era.V5_11, config)) {
            assertThat(k.get(MemoryConfig.class).bytes()).isEqualTo(32L << 20);
            assertThat(k.get(Cpus.class).nrCpus()).isEqualTo(3);
            assertThat(k.get(PageTypeEncoding.class).policyName()).isEqualTo("pagetype.Bits418");
            assertThat(chargedByOneAccountedPage(k)).as("nokmem").isZero();
        }
        assertThat(config).hasToString("32M, 3 CPUs, GENERIC, nokmem, 1 override(s)");
    }

    @Test
    void eachCopyLeavesTheOriginalAlone() {
        KernelConfig base = KernelConfig.memory("64M");

        base.cpus(8).arch(Arch.S390).kmemAccounting(false).override(binder -> { });

        assertThat(base).hasToString("64M, 2 CPUs, GENERIC");
        assertThat(KernelConfig.defaults()).hasToString("1024M, 2 CPUs, GENERIC");
    }

    @Test
    void aBadSizeOrCpuCountIsRefusedAtOnce() {
        assertThatThrownBy(() -> KernelConfig.memory("2M")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below the minimum");
        assertThatThrownBy(() -> KernelConfig.defaults().cpus(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** What /job's memory.current grows by when a task there allocates one accounted page. */
    private static long chargedByOneAccountedPage(Kernel k) {
        k.cgroupfs().mkdir("/job");
        Task t = k.spawn("/job");
        k.drainAllStock();
        long before = k.cgroupfs().readLong("/job/memory.current");
        Page p;
        try (var running = k.enter(t)) {
            p = k.get(PageAllocator.class).allocPage(GFP_KERNEL_ACCOUNT);
        }
        k.drainAllStock();
        long charged = k.cgroupfs().readLong("/job/memory.current") - before;
        k.get(PageAllocator.class).freePage(p);
        return charged;
    }
}
