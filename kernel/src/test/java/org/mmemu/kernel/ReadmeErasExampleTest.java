package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.s390.S390Module;
import org.mmemu.s390.S390PageTableGfp;

/** The README's "Eras" examples, kept compiling and passing. */
class ReadmeErasExampleTest {
    @Test
    void bootSpawnChargeAndExit() {
        Kernel k = Kernel.boot(Era.V5_11, MemoryConfig.of("64M"));
        k.cgroupfs().mkdir("/job");
        k.cgroupfs().write("/job/memory.max", "16M");
        TaskStruct t = k.spawn("/job");                        // forked into /job, where it execs
        Page p;
        try (var running = k.enter(t)) {
            p = k.get(PageAllocator.class).allocPage(GFP_KERNEL_ACCOUNT);   // charged to /job
        }
        k.drainAllStock();                               // memory.current without per-CPU pre-charges
        long current = k.cgroupfs().readLong("/job/memory.current");        // p and t's pgd: 8192
        k.get(PageRefs.class).putPage(p);                // uncharged once, however it is freed
        k.exit(t);                                       // exit_mm, and t leaves /job

        assertThat(current).isEqualTo(8192);
        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).isZero();
        assertThat(k.checkConsistency()).isEmpty();
    }

    @Test
    void extraModulesOverrideThePreset() {
        Kernel k = Kernel.boot(Era.V4_8, MemoryConfig.of("64M"), new S390Module(),
                binder -> policyBinder(binder, S390PageTableGfp.class).select("s390gfp.Account"));

        assertThat(k.get(S390PageTableGfp.class).policyName()).isEqualTo("s390gfp.Account");
        assertThat(k.checkConsistency()).isEmpty();
    }
}
