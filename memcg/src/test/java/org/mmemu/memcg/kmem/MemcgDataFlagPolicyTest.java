package org.mmemu.memcg.kmem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.Test;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/** The contract under 5.11's MEMCG_DATA_KMEM, and what only that design does. */
class MemcgDataFlagPolicyTest extends KmemAccountingContractTest {
    @Override
    MemcgMachine boot() {
        return TestEra.V5_11.boot();
    }

    @Test
    void thePageIsMarkedInMemcgDataAndMapcountIsUntouched() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        assertThat(page.memcgData()).isEqualTo(job.address() | MemcgData.MEMCG_DATA_KMEM);
        assertThat(page.mapcountWord()).isEqualTo(-1);
        assertThat(m.types.hasAnyType(page)).isFalse();
        assertThat(m.data.pageMemcgKmem(page)).isTrue();
        m.refs.putPage(page);
    }

    @Test
    void freeingUnchargesThroughTheFreeingCpusStockSoUsageDropsLazily() {
        MemCgroup other = m.cgroups.mkdir("/other");
        TaskStruct reader = m.userTask("reader", other);
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        m.stock.drainAll(job);
        assertThat(job.memory().read()).isEqualTo(1);
        // The reader's own charge leaves its cgroup cached in this CPU's stock.
        Page readers = allocAs(reader, GFP_KERNEL_ACCOUNT, 0);
        assertThat(m.stock.cachedMemcg(0)).isSameAs(other);
        long otherBefore = other.memory().read();

        try (var s = m.tasks.enter(reader)) {
            m.alloc.freePage(page);
        }
        assertThat(m.stock.cachedMemcg(0)).as("the uncharge took over this CPU's stock").isSameAs(job);
        assertThat(job.memory().read()).as("memory.current has not dropped yet").isEqualTo(1);
        assertThat(other.memory().read()).as("the other cgroup's stock was drained")
                .isEqualTo(otherBefore - (m.stock.batch() - 1));
        m.stock.drainAll(job);
        assertThat(job.memory().read()).isZero();

        m.alloc.freePage(readers);
        m.tree.exit(reader);
        m.cgroups.rmdir(other);
    }

    @Test
    void putPageUnchargesTheCountersDirectly() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        m.stock.drainAll(job);
        m.refs.putPage(page);
        assertThat(job.memory().read()).as("uncharge_batch bypasses the stock").isZero();
    }

    @Test
    void aLiveKmemPagePinsTheRemovedCgroupUntilItIsFreed() {
        Page page = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        m.tree.exit(writer);
        m.cgroups.rmdir(job);
        assertThat(job.state()).isEqualTo(MemCgroup.State.DYING);
        m.refs.putPage(page);
        assertThat(job.state()).isEqualTo(MemCgroup.State.RELEASED);
    }

    @Test
    void withoutAnOomVictimA511ChargeOverTheLimitIsForced() {
        job.memory().exchangeMax(1);
        Page a = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        Page b = allocAs(writer, GFP_KERNEL_ACCOUNT, 0);
        assertThat(b).as("mem_cgroup_oom found no victim: OOM_FAILED forces the charge").isNotNull();
        assertThat(charged(job)).isEqualTo(2).isGreaterThan(job.memory().max());
        m.refs.putPage(a);
        m.refs.putPage(b);
    }

}
