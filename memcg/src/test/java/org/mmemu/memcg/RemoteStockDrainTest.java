package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.testing.CpuThread;

/**
 * {@code drain_all_stock} and the percpu_ref kill against a CPU whose thread is alive: as in the
 * kernel, the other CPU's stock is drained, and its reference counts folded, by that CPU itself
 * at its next schedule point (its next stock operation, {@code cond_resched} or unbinding),
 * not by the thread asking.
 */
class RemoteStockDrainTest {
    private final MemcgMachine m = MemcgMachine.boot();

    @AfterEach
    void noLeaks() {
        m.assertNoLeaks();
        m.cpus.unbind();
    }

    @Test
    void aLiveCpuDrainsItsOwnStockAtItsNextStockOperation() {
        MemCgroup job = m.cgroups.mkdir("/job");
        m.cpus.bind(0);
        CpuThread other = CpuThread.start(m.cpus, 1);
        other.runAndWait(() -> {
            assertThat(m.charger.tryCharge(job, GFP_KERNEL, 1)).isZero();
            m.charger.uncharge(job, 1);
        });
        int batch = m.stock.batch();
        assertThat(m.stock.stockedPages(1)).as("the surplus of the batch").isEqualTo(batch - 1);

        m.stock.drainAll(job);
        assertThat(job.memory().read()).as("queued on cpu1, not drained by cpu0")
                .isEqualTo(batch - 1);
        assertThat(m.cpus.cpu(1).hasPendingWork()).isTrue();

        MemCgroup other2 = m.cgroups.mkdir("/other");
        other.runAndWait(() -> assertThat(m.stock.consume(other2, 1)).isFalse());
        assertThat(job.memory().read()).as("cpu1 drained before using its stock").isZero();
        assertThat(m.stock.cachedMemcg(1)).isNull();
        other.finish();
        m.cgroups.rmdir(other2);
        m.cgroups.rmdir(job);
    }

    @Test
    void aRemovedCgroupCachedByALiveCpuIsReleasedWhenThatCpuLetsGo() {
        MemCgroup job = m.cgroups.mkdir("/job");
        m.cpus.bind(0);
        CpuThread other = CpuThread.start(m.cpus, 1);
        other.runAndWait(() -> {
            assertThat(m.charger.kmemCharge(job, GFP_KERNEL, 1)).isZero();
            m.charger.kmemUncharge(job, 1);
        });
        m.cgroups.rmdir(job);
        assertThat(job.state()).as("cpu1's stock still holds a css reference")
                .isEqualTo(MemCgroup.State.DYING);
        assertThat(m.tree.root().nrDyingDescendants()).isEqualTo(1);

        other.runAndWait(m.cpus::condResched);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(m.tree.root().nrDyingDescendants()).isZero();
        assertThat(m.tree.root().memory().read()).isZero();
        other.finish();
    }

    @Test
    void anObjcgWhoseReferencesSitOnALiveCpuIsReleasedOnceThatCpuFoldsThem() {
        MemCgroup job = m.cgroups.mkdir("/job");
        ObjCgroup objcg = job.objcg();
        m.cpus.bind(0);
        CpuThread other = CpuThread.start(m.cpus, 1);
        other.runAndWait(() -> {
            objcg.get();
            objcg.get();
            objcg.put();
        });
        assertThat(objcg.refs()).isEqualTo(2);
        m.cgroups.rmdir(job);
        assertThat(objcg.isKilled()).isTrue();
        assertThat(objcg.refs()).as("cpu1 has not folded its count yet").isEqualTo(1);

        other.runAndWait(objcg::put);
        assertThat(m.objcgs.reparentedTo(m.tree.root())).as("not released before cpu1 folds")
                .contains(objcg);
        other.finish();
        assertThat(m.objcgs.reparentedTo(m.tree.root())).as("released by cpu1 on unbind")
                .doesNotContain(objcg);
    }
}
