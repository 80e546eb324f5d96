package org.mmemu.it.fray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.KernelBug;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Tasks;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.slab.KmemCache;
import org.mmemu.slab.MemCgroupFromObj;
import org.mmemu.slab.SlabCaches;
import org.mmemu.slab.Slub;

/**
 * {@code mem_cgroup_from_obj} on CPU 1 against the lazy attach of the slab page's obj_cgroup
 * vector on CPU 0 (an accounted neighbour allocated), with no {@link MemCgroupFromObj#BETWEEN_READS}
 * armed: Fray's scheduler alone finds 5.9's window between the reader's two loads of
 * {@code page->memcg_data} (mm/memcontrol.c of 5.9.1, {@code mem_cgroup_from_obj}; fixed in 5.10
 * by 19b629c9795b), and the schedule it found replays it from {@value #RECORDING}: Fray's
 * recording of that run, its scheduler and the random choices it made (Fray's default replay).
 * Its exact-interleaving replay ({@code recording.json}, {@code -Dfray.recordSchedule=true})
 * does not carry over: the recorded schedule is a later iteration's, and the JVM's one-time
 * work (class loading, lambda linkage) makes a replay's first iteration schedule differently.
 * A change to the code the race runs through may change the schedules: then record again, by
 * copying {@code scheduler} and {@code random.json} from
 * {@code target/fray/fray-report/recording} after {@link #fraysSchedulerFindsThe59Race} ran.
 */
class MemCgroupFromObjFrayTest {
    /** Fray's recording (its scheduler and random choices) of a schedule that fools 5.9. */
    static final String RECORDING = "fray/mem-cgroup-from-obj-5.9";
    private static final int ITERATIONS = 300;
    private static final long SEED = 0xf4a7L;

    @Test
    void fraysSchedulerFindsThe59Race() {
        try (Race race = new Race(Era.V5_9)) {
            FrayRuns.Exploration found = FrayRuns.explore(SEED, ITERATIONS, race::round);
            assertThat(found.failure()).as("one of %s fools 5.9", found.describe())
                    .isInstanceOf(AssertionError.class).hasMessageContaining("KASAN");
        }
    }

    @Test
    void theRecordedScheduleReplaysThe59Race() {
        try (Race race = new Race(Era.V5_9)) {
            Throwable replayed = FrayRuns.replay(race::round, RECORDING);
            assertThat(replayed).as("the recorded schedule").isInstanceOf(AssertionError.class)
                    .hasMessageContaining("KASAN");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V5_10", "V5_11", "LATEST"})
    void theFixedReadersAreNeverWrong(Era era) {
        try (Race race = new Race(era)) {
            FrayRuns.Exploration none = FrayRuns.explore(SEED, ITERATIONS, race::round);
            assertThat(none.failure()).as(none.describe()).isNull();
            assertThat(race.rounds).as("rounds run").isEqualTo(ITERATIONS);
        }
    }

    /** One machine, one cgroup with a task in it; each {@link #round} races on a fresh slab page. */
    private static final class Race implements AutoCloseable {
        final Kernel k;
        final Cpus cpus;
        final Task writer;
        final SlabCaches caches;
        final Slub slub;
        final MemCgroupFromObj from;
        int rounds;

        Race(Era era) {
            k = Kernel.boot(era, KernelConfig.memory("64M"));
            cpus = k.get(Cpus.class);
            k.cgroupfs().mkdir("/job");
            writer = k.spawn("/job");
            caches = k.get(SlabCaches.class);
            slub = k.get(Slub.class);
            from = k.get(MemCgroupFromObj.class);
            // Each round's threads take CPUs 0 and 1; the booting thread gives its CPU back.
            cpus.unbind();
            // One round outside Fray first, so that each round under it, the first one too,
            // starts from a machine past its one-time setup (the replay runs only one).
            warmUp();
        }

        private void warmUp() {
            Thread t = new Thread(this::round, "warm-up");
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            rounds = 0;
        }

        /**
         * CPU 0 allocates an unaccounted object on a fresh slab page, then an accounted one on
         * the same page (which attaches its vector), while CPU 1 asks who owns the first: always
         * nobody. Everything is freed before a wrong answer is reported, so the machine stays
         * whole for the next round and {@link #close}'s checks.
         */
        void round() {
            cpus.bind(0);
            KmemCache s = caches.kmemCacheCreate("fray-race", 64, 0, 0);
            long plain = slub.kmemCacheAlloc(s, GFP_KERNEL);
            long[] accounted = new long[1];
            AtomicReference<Object> answer = new AtomicReference<>();
            TwoCpus.race(cpus, () -> {
                try (Tasks.TaskScope scope = k.enter(writer)) {
                    accounted[0] = slub.kmemCacheAlloc(s, GFP_KERNEL_ACCOUNT);
                }
            }, () -> {
                try {
                    MemCgroup owner = from.memCgroupFromObj(plain);
                    answer.set(owner == null ? "nobody" : owner);
                } catch (KernelBug e) {
                    answer.set(e);
                }
            });
            cpus.bind(0);
            try (Tasks.TaskScope scope = k.enter(writer)) {
                slub.kmemCacheFree(s, accounted[0]);
            }
            slub.kmemCacheFree(s, plain);
            caches.kmemCacheDestroy(s);
            cpus.unbind();
            rounds++;
            Object got = answer.get();
            if (!"nobody".equals(got)) {
                throw new AssertionError("mem_cgroup_from_obj of an unaccounted object: " + got,
                        got instanceof Throwable ? (Throwable) got : null);
            }
        }

        @Override
        public void close() {
            k.close();
        }
    }
}
