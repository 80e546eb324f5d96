package org.mmemu.core.vmalloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * A seeded random sequence of vmalloc and vfree (sizes on both sides of the 512-page array
 * boundary): areas never overlap, and the pages in use are exactly those of the live areas.
 */
class VmallocRandomTest {
    private static final int STEPS = 2000;

    @Test
    void pagesInUseAreExactlyThoseOfLiveAreas() {
        Seeded.run(0x766d616c6cL, rnd -> {
            Machine m = Machine.boot();
            Vmalloc vmalloc = m.injector.getInstance(Vmalloc.class);
            VmStat vmStat = m.injector.getInstance(VmStat.class);
            long freeAtBoot = m.alloc.freePfns().cardinality();
            List<Long> live = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                // At most 25 areas of up to 600 pages (and their arrays) always fit in 64M.
                if (live.isEmpty() || (live.size() < 25 && rnd.nextInt(3) > 0)) {
                    long size = 1 + rnd.nextLong(600 * MemMap.PAGE_SIZE);
                    long addr = rnd.nextBoolean() ? vmalloc.vmalloc(size) : vmalloc.vmallocUser(size);
                    assertThat(addr).as("step %d", step).isNotZero();
                    live.add(addr);
                } else {
                    vmalloc.vfree(live.remove(rnd.nextInt(live.size())));
                }

                long pages = 0;
                List<VmStruct> areas = new ArrayList<>();
                for (long addr : live) {
                    VmStruct area = vmalloc.findVmArea(addr);
                    pages += area.nrPages();
                    areas.add(area);
                    if (area.pagesArea() != 0) {
                        VmStruct array = vmalloc.findVmArea(area.pagesArea());
                        pages += array.nrPages();
                        areas.add(array);
                    }
                }
                assertThat(vmalloc.nrAreas()).as("step %d", step).isEqualTo(areas.size());
                assertThat(freeAtBoot - m.alloc.freePfns().cardinality()).as("step %d", step).isEqualTo(pages);
                assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isEqualTo(pages);
                areas.sort((a, b) -> Long.compareUnsigned(a.addr(), b.addr()));
                for (int i = 1; i < areas.size(); i++) {
                    VmStruct prev = areas.get(i - 1);
                    assertThat(Long.compareUnsigned(prev.addr() + prev.size(), areas.get(i).addr()))
                            .as("step %d: %s overlaps %s", step, prev, areas.get(i)).isLessThanOrEqualTo(0);
                }
            }
            live.forEach(vmalloc::vfree);
            assertThat(vmalloc.nrAreas()).isZero();
            assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isZero();
            assertThat(m.log.lines()).isEmpty();
            assertThat(m.leakedPages()).isZero();
        });
    }
}
