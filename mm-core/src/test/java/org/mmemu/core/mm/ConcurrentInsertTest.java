package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * Threads inserting into the same empty range race to populate its page tables; each table is
 * installed once and the losers' tables are freed at once ({@code pte_free}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentInsertTest {
    private static final int THREADS = 3;
    private static final int ROUNDS = 200;
    private static final long BASE = 0x10000000L;

    @Test
    void racingInsertsInstallEachTableOnceAndLoseNothing() throws Exception {
        Machine m = Machine.boot();
        AddressSpaces spaces = m.injector.getInstance(AddressSpaces.class);
        MemoryMapping memory = m.injector.getInstance(MemoryMapping.class);
        VmStat vmStat = m.injector.getInstance(VmStat.class);
        MmStruct mm = spaces.mmAlloc();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                spaces.mmapSpecial(mm, BASE, THREADS * MemMap.PAGE_SIZE, VM_READ | VM_SHARED);
                Vma vma = mm.vmaLookup(BASE);
                List<Future<Page>> inserted = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    long addr = BASE + t * MemMap.PAGE_SIZE;
                    inserted.add(pool.submit(() -> {
                        Page page = m.alloc.allocPage(GFP_KERNEL);
                        start.await();
                        assertThat(memory.vmInsertPage(vma, addr, page)).isZero();
                        return page;
                    }));
                }
                List<Page> pages = new ArrayList<>();
                for (Future<Page> f : inserted) {
                    pages.add(f.get());
                }

                assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).as("round %d", round).isEqualTo(3);
                assertThat(mm.pgtablesBytes()).isEqualTo(3 * 4096);
                assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isEqualTo(THREADS);

                spaces.munmap(mm, BASE, THREADS * MemMap.PAGE_SIZE);
                pages.forEach(m.alloc::freePage);
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        spaces.mmput(mm);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(m.leakedPages()).isZero();
    }
}
