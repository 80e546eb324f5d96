package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.page.Page;
import org.mmemu.s390.S390PageTableAllocator;
import org.mmemu.s390.S390PageTableGfp;

/** The README's "Eras" examples, kept compiling and passing. */
class ReadmeErasExampleTest {
    @Test
    void bootSpawnChargeAndExit() {
        long current;
        try (Kernel k = Kernel.boot(Era.V5_11, KernelConfig.memory("64M"))) {
            k.cgroupfs().mkdir("/job");
            k.cgroupfs().write("/job/memory.max", "16M");
            Task t = k.spawn("/job");                        // forked into /job, where it execs
            Page p;
            try (var running = k.enter(t)) {
                p = k.get(PageAllocator.class).allocPage(GFP_KERNEL_ACCOUNT);   // charged to /job
            }
            k.drainAllStock();                               // memory.current without per-CPU pre-charges
            current = k.cgroupfs().readLong("/job/memory.current");             // p and t's pgd: 8192
            k.get(PageRefs.class).putPage(p);                // uncharged once, however it is freed
            t.exit();                                        // exit_mm, and t leaves /job

            k.drainAllStock();
            assertThat(k.cgroupfs().readLong("/job/memory.current")).isZero();
        }
        assertThat(current).isEqualTo(8192);
    }

    @Test
    void theConfigOverridesThePreset() {
        try (Kernel k = Kernel.boot(Era.V4_8, KernelConfig.memory("64M").arch(Arch.S390)
                .override(binder -> policyBinder(binder, S390PageTableGfp.class).select("s390gfp.Account")))) {
            assertThat(k.get(PageTableAllocator.class)).isInstanceOf(S390PageTableAllocator.class);
            assertThat(k.get(S390PageTableGfp.class).policyName()).isEqualTo("s390gfp.Account");
        }
    }
}
