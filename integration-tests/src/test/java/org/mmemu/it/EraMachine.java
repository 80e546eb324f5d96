package org.mmemu.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Module;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;

/**
 * One 64M machine of an era for an integration test: the {@link Kernel} facade over a
 * {@link TestMachine}, so the test declares the bad pages its era provokes
 * ({@code m.expectBadPage}) and {@link #finish()} closes it, which ends it with every check the
 * machine has (buddy, page leaks, RCU and each installed module's) plus the declarations.
 */
final class EraMachine {
    static final long PAGE = MemMap.PAGE_SIZE;

    final Era era;
    final TestMachine m;
    final Kernel k;
    final AddressSpaces spaces;
    final MemoryMapping memory;
    final PageAllocator alloc;
    final PageRefs refs;
    final Rcu rcu;

    private EraMachine(Era era, TestMachine m) {
        this.era = era;
        this.m = m;
        this.k = Kernel.of(m.injector());
        this.spaces = m.get(AddressSpaces.class);
        this.memory = m.get(MemoryMapping.class);
        this.alloc = m.alloc();
        this.refs = m.refs();
        this.rcu = m.get(Rcu.class);
    }

    /** A machine of {@code era}, with {@code extra} modules overriding the era's choices. */
    static EraMachine boot(Era era, Module... extra) {
        KernelConfig config = KernelConfig.memory("64M").override(extra);
        return new EraMachine(era, TestMachine.boot(config.memoryConfig(), Kernel.modules(era, config)));
    }

    /** mkdir of a cgroup. */
    MemCgroup mkdir(String path) {
        return k.cgroupfs().mkdir(path);
    }

    /** A task in {@code cgroup}, exited by {@link #finish()} unless the test exits it. */
    Task spawn(String cgroup) {
        return k.spawn(cgroup);
    }

    /** Runs as {@code task} until the scope closes. */
    Tasks.TaskScope as(Task task) {
        return k.enter(task);
    }

    /** {@code memory.current} in pages, the per-CPU stocks drained first so it is exact. */
    long charged(String cgroup) {
        k.drainAllStock();
        return k.cgroupfs().readLong(cgroup + "/memory.current") / PAGE;
    }

    /** Lets every pending RCU callback run (s390 frees page tables after a grace period). */
    void quiesce() {
        rcu.rcuBarrier();
    }

    /**
     * Closes the kernel, which exits every task the OOM killer left alive, lets RCU finish and
     * fails on anything the machine's checks find; then checks the mm counters' reports.
     */
    void finish() {
        k.close();
        assertThat(m.log().dmesg()).doesNotContain("Bad rss-counter", "non-zero pgtables_bytes");
    }
}
