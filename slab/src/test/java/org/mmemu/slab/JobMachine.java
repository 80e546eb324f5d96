package org.mmemu.slab;

import java.util.function.LongSupplier;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;

/** An era's machine ({@link SlabEraMachine}) with a cgroup {@code /job} and a user task in it. */
final class JobMachine {
    final TestMachine m;
    final Cgroups cgroups;
    final Kmalloc kmalloc;
    final Slub slub;
    final SlabCaches caches;
    final MemCgroup job;
    final TaskStruct writer;

    JobMachine(KernelRelease release) {
        m = SlabEraMachine.boot(release);
        cgroups = m.get(Cgroups.class);
        kmalloc = m.get(Kmalloc.class);
        slub = m.get(Slub.class);
        caches = m.get(SlabCaches.class);
        job = cgroups.mkdir("/job");
        writer = SlabEraMachine.writerIn(m, job);
    }

    /** Runs {@code step} as {@code task} and returns what it returns. */
    long as(TaskStruct task, LongSupplier step) {
        try (Tasks.TaskScope scope = m.tasks().enter(task)) {
            return step.getAsLong();
        }
    }

    /** The test's end: the writer kfrees {@code objects}, then every consistency check runs. */
    void kfreeAndVerify(long... objects) {
        run(writer, () -> {
            for (long x : objects) {
                kmalloc.kfree(x);
            }
        });
        m.verify();
    }

    /**
     * {@code drain_all_stock} of every cgroup: afterwards memory.stat's slab keys are exact in
     * every era, also in the latest, whose obj stocks cache the slab statistics until a drain.
     */
    void drainAllStock() {
        m.get(ChargeStock.class).drainAll(cgroups.root());
    }

    /** Runs {@code step} as {@code task}. */
    void run(TaskStruct task, Runnable step) {
        try (Tasks.TaskScope scope = m.tasks().enter(task)) {
            step.run();
        }
    }
}
