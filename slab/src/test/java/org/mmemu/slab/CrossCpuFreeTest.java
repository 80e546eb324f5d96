package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * Objects allocated on one CPU and freed on others (to a CPU's frozen slab, to full and partial
 * slabs), seeded, with the slab consistency check after every round.
 */
class CrossCpuFreeTest {
    private static final long DONE = -1;

    @Test
    void remoteFreesKeepEverySlabConsistent() throws Exception {
        TestMachine m = TestMachine.boot(MemoryConfig.of("64M"), new SlabModule());
        Kmalloc kmalloc = m.get(Kmalloc.class);
        Cpus cpus = m.cpus();
        BlockingQueue<Long> toRemote = new ArrayBlockingQueue<>(1 << 16);
        List<Throwable> failures = new ArrayList<>();
        Thread remote = new Thread(() -> {
            cpus.bind(1);
            try {
                for (long x = toRemote.take(); x != DONE; x = toRemote.take()) {
                    kmalloc.kfree(x);
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                cpus.unbind();
            }
        });
        remote.start();
        cpus.bind(0);
        try {
            Seeded.run(0xc9055L, rnd -> round(kmalloc, toRemote, rnd));
        } finally {
            toRemote.put(DONE);
            remote.join(TimeUnit.SECONDS.toMillis(30));
            cpus.unbind();
        }
        assertThat(failures).isEmpty();
        m.verify();
    }

    private static void round(Kmalloc kmalloc, BlockingQueue<Long> toRemote, SplittableRandom rnd) {
        List<Long> mine = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            int size = new int[] {16, 64, 96, 256, 1024}[rnd.nextInt(5)];
            if (mine.isEmpty() || rnd.nextInt(3) > 0) {
                mine.add(kmalloc.kmalloc(size, GFP_KERNEL));
            } else {
                long x = mine.remove(rnd.nextInt(mine.size()));
                if (rnd.nextBoolean()) {
                    kmalloc.kfree(x);
                } else {
                    toRemote.add(x);
                }
            }
        }
        mine.forEach(toRemote::add);
    }
}
