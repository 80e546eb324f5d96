package org.mmemu.core.interleave;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.CpuThread;

/**
 * The shape of 5.9's {@code mem_cgroup_from_obj} race on plain mm-core objects: a reader loads
 * {@code memcg_data} twice (has it an obj_cgroups vector? if not, it is the mem_cgroup) while
 * another CPU attaches a vector between the two loads. Parked at the point between them, the
 * reader takes the vector's tagged address for a mem_cgroup every time; with the point disarmed
 * it never does; a reader that loads once (5.10's fix) is right either way.
 */
class InterleavingRaceTest {
    static final InterleavingPoint BETWEEN_READS = InterleavingPoint.declare("test:from_obj:between_reads");
    /** Bit 0 of {@code page->obj_cgroups} in 5.9: the word holds a vector, not a mem_cgroup. */
    static final long OBJCGS = 1;

    record MemCg(String name) {
    }

    record ObjCgVector(MemCg[] memcgs) {
    }

    private final Machine m = Machine.boot();
    private final KernelObjects objects = m.injector.getInstance(KernelObjects.class);
    private final Page page = m.alloc.allocPage(GFP_KERNEL);
    private final MemCg job = new MemCg("/job");
    private final ObjCgVector vector = new ObjCgVector(new MemCg[] {job});
    private long vectorAddress;
    private final CpuThread cpu1 = CpuThread.start(m.cpus, 1);

    /** 5.9: tests the word for a vector, then loads it again as the page's mem_cgroup. */
    MemCg racyFromObj() {
        if ((page.memcgData() & OBJCGS) != 0) {
            return objects.resolve(page.memcgData() & ~OBJCGS, ObjCgVector.class).memcgs()[0];
        }
        BETWEEN_READS.reach();
        long memcg = page.memcgData();
        return memcg == 0 ? null : objects.resolve(memcg, MemCg.class);
    }

    /** 5.10: one load, then decode what was loaded. */
    MemCg fixedFromObj() {
        long data = page.memcgData();
        BETWEEN_READS.reach();
        if ((data & OBJCGS) != 0) {
            return objects.resolve(data & ~OBJCGS, ObjCgVector.class).memcgs()[0];
        }
        return data == 0 ? null : objects.resolve(data, MemCg.class);
    }

    /** The other CPU: {@code memcg_alloc_page_obj_cgroups}. */
    void attachVector() {
        vectorAddress = objects.register(vector);
        page.setMemcgData(vectorAddress | OBJCGS);
    }

    @AfterEach
    void cleanUp() {
        cpu1.finish();
        page.setMemcgData(0);
        if (vectorAddress != 0) {
            objects.free(vectorAddress);
        }
        m.alloc.freePage(page);
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
    }

    @Test
    void parkedBetweenTheLoadsTheRacyReaderTakesTheVectorForAMemcg() {
        cpu1.runUntil(BETWEEN_READS, this::racyFromObj);   // saw no vector
        attachVector();                                      // on cpu0

        assertThatThrownBy(cpu1::release).isInstanceOf(KernelBug.class)
                .hasMessageContaining("wild-memory-access")
                .hasMessageContaining(Long.toHexString(vectorAddress | OBJCGS));
    }

    @Test
    void theRaceReproducesEveryTime() {
        for (int run = 0; run < 100; run++) {
            page.setMemcgData(0);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            cpu1.runUntil(BETWEEN_READS, () -> {
                try {
                    racyFromObj();
                } catch (KernelBug e) {
                    thrown.set(e);
                }
            });
            attachVector();
            cpu1.release();
            objects.free(vectorAddress);
            vectorAddress = 0;

            assertThat(thrown.get()).as("run %d", run).isInstanceOf(KernelBug.class);
        }
        page.setMemcgData(0);
    }

    @Test
    void withThePointDisarmedTheRacyReaderSeesEitherStateWhole() {
        AtomicReference<MemCg> before = new AtomicReference<>(job);
        AtomicReference<MemCg> after = new AtomicReference<>();

        cpu1.runAndWait(() -> before.set(racyFromObj()));
        attachVector();
        cpu1.runAndWait(() -> after.set(racyFromObj()));

        assertThat(before.get()).isNull();
        assertThat(after.get()).isSameAs(job);
    }

    @Test
    void theFixedReaderIsRightUnderTheSameInterleaving() {
        AtomicReference<MemCg> seen = new AtomicReference<>(job);

        cpu1.runUntil(BETWEEN_READS, () -> seen.set(fixedFromObj()));
        attachVector();
        cpu1.release();

        assertThat(seen.get()).as("the word as it was loaded: no memcg yet").isNull();
        assertThat(fixedFromObj()).isSameAs(job);
    }
}
