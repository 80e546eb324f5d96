package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.BpfTesting.bytes;
import static org.mmemu.kernel.BpfTesting.current;
import static org.mmemu.kernel.BpfTesting.index;
import static org.mmemu.kernel.BpfTesting.lockedVm;

import org.mmemu.bpf.BpfConfig;
import org.mmemu.bpf.BpfEras;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfModule;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.page.Gfp;
import org.mmemu.core.sched.Cpus;
import org.mmemu.kernel.junit.Eras;

/**
 * Issue 13's per-CPU arrays: one value per CPU, and the percpu allocator's charge per era: to
 * the creator's cgroup from 5.11 (the map asks for it), not at all before, even when an override
 * makes a pre-5.9 map ask (the allocator could not account), but from 5.9 when it does.
 */
class TaskBpfPercpuArrayTest {
    private static final int ENTRIES = 256;

    private static long percpuStat(Kernel k, String cgroup) {
        current(k, cgroup);
        return k.cgroupfs().stat(cgroup, "percpu");
    }

    @Eras(memory = "64M")
    void eachCpuHasItsValue(Kernel k) {
        Task t = k.spawn("/");
        int cpus = k.get(Cpus.class).nrCpus();
        int fd = t.bpfMapCreate(BpfMapType.PERCPU_ARRAY, 4, 8, ENTRIES, 0);
        assertThat(t.bpfMapLookup(fd, index(7))).hasSize(8 * cpus).containsOnly(0);

        t.bpfMapUpdate(fd, index(7), bytes(8 * cpus, 3), BpfUpdateFlags.ANY);
        assertThat(t.bpfMapLookup(fd, index(7))).isEqualTo(bytes(8 * cpus, 3));
        assertThat(t.bpfMapLookup(fd, index(8))).containsOnly(0);
        t.close(fd);
    }

    @Eras(from = Era.V5_11, memory = "64M")
    void from511TheValuesAreChargedToTheCreatorAsPercpu(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        int cpus = k.get(Cpus.class).nrCpus();
        long before = current(k, "/a");
        long percpu0 = percpuStat(k, "/a");
        int fd = t.bpfMapCreate(BpfMapType.PERCPU_ARRAY, 4, 8, ENTRIES, 0);

        assertThat(percpuStat(k, "/a") - percpu0).isEqualTo((long) ENTRIES * 8 * cpus);
        assertThat(current(k, "/a") - before).isGreaterThanOrEqualTo((long) ENTRIES * 8 * cpus);
        t.close(fd);
        assertThat(percpuStat(k, "/a")).isEqualTo(percpu0);
        assertThat(current(k, "/a")).isEqualTo(before);
    }

    @Eras({Era.V4_7, Era.V4_8, Era.V4_18, Era.V5_9, Era.V5_10})
    void upTo510OnlyMemlockPays(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        int fd = t.bpfMapCreate(BpfMapType.PERCPU_ARRAY, 4, 8, 64, 0);
        assertThat(current(k, "/a")).isEqualTo(before);
        assertThat(lockedVm(t)).isPositive();
        t.close(fd);
    }

    @Eras({Era.V4_18, Era.V5_9, Era.V5_10})
    void aForcedAccountFlagIsChargedOnlyWhereThePercpuAllocatorAccounts(Kernel era) {
        BpfConfig forced = BpfEras.CONFIG.at(era.era().release()).withAccountGfp(Gfp.__GFP_ACCOUNT);
        try (Kernel k = Kernel.boot(era.era(), KernelConfig.memory("64M")
                .override(binder -> BpfModule.config(binder).setBinding().toInstance(forced)))) {
            k.cgroupfs().mkdir("/a");
            Task t = k.spawn("/a");
            int cpus = k.get(Cpus.class).nrCpus();
            long before = current(k, "/a");
            int fd = t.bpfMapCreate(BpfMapType.PERCPU_ARRAY, 4, 8, ENTRIES, 0);
            long header = 272 + ENTRIES * 8;
            long charged = current(k, "/a") - before;
            if (forced.percpuAccounting()) {
                assertThat(charged).as("5.9 and 5.10 account percpu memory").isGreaterThanOrEqualTo(
                        header + (long) ENTRIES * 8 * cpus);
            } else {
                assertThat(charged).as("4.18's percpu allocator ignores __GFP_ACCOUNT").isLessThan(
                        (long) ENTRIES * 8 * cpus);
            }
            t.close(fd);
            assertThat(current(k, "/a")).isEqualTo(before);
        }
    }
}
