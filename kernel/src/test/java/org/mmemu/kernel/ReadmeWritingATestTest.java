package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.mmemu.kernel.junit.Eras;

/** The README's "Writing a test" lead example, kept compiling and passing (it runs as written). */
class ReadmeWritingATestTest {
    @Eras(from = Era.V4_18, memory = "64M")              // memory.events counts oom_kill from 4.18
    void theOomKillerEmptiesTheCgroup(Kernel k) {        // test_memcontrol's test_memcg_oom_events
        k.cgroupfs().mkdir("/job");
        Task t = k.spawn("/job");
        k.cgroupfs().write("/job/memory.max", "0");      // t's page tables no longer fit

        assertThat(t.isAlive()).isFalse();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThat(k.cgroupfs().event("/job", "oom_kill")).isEqualTo(1);
    }                                                    // then k.close() checks every page and charge
}
