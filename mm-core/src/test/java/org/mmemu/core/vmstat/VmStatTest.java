package org.mmemu.core.vmstat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.sched.Cpus;

/** Per-CPU vmstat differentials folded on read. */
class VmStatTest {
    private final Cpus cpus = new Cpus(4);
    private final VmStat vmStat = new VmStat(cpus);

    @Test
    void updatesFromTwoThreadsFoldIntoOneCounter() throws InterruptedException {
        Thread a = new Thread(() -> {
            cpus.bind(1);
            for (int i = 0; i < 1000; i++) {
                vmStat.mod(VmStatItem.NR_PAGETABLE, 1);
            }
        });
        Thread b = new Thread(() -> {
            cpus.bind(2);
            for (int i = 0; i < 400; i++) {
                vmStat.mod(VmStatItem.NR_PAGETABLE, -1);
            }
            vmStat.mod(cpus.current(), VmStatItem.NR_VMALLOC, 7);
        });
        a.start();
        b.start();
        a.join();
        b.join();
        // Each CPU holds its own part; the read folds them (one CPU may even be negative).
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isEqualTo(600);
        assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isEqualTo(7);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
    }

    @Test
    void formatPrintsEveryCounterUnderItsProcName() {
        cpus.bind(0);
        vmStat.mod(VmStatItem.NR_FILE_MAPPED, -3);
        String text = vmStat.format();
        assertThat(text.lines()).hasSize(VmStatItem.values().length);
        assertThat(text).startsWith("nr_mapped -3\n").contains("nr_page_table_pages 0\n")
                .contains("pgalloc_normal 0\n").endsWith("pgfree 0\n");
        cpus.unbind();
    }
}
