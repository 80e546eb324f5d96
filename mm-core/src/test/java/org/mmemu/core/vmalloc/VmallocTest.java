package org.mmemu.core.vmalloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_HIGHMEM;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.TestModules;
import org.mmemu.core.TestModules.GfpRecorder;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/** vmalloc and vfree: exact page counts, gfp, layout, failure paths and warnings. */
class VmallocTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final long START = MemMap.VMALLOC_START;

    private final GfpRecorder recorder = new GfpRecorder();
    private Machine m;
    private Vmalloc vmalloc;
    private VmStat vmStat;
    private long freeAtBoot;

    private void boot(MemoryConfig config) {
        m = Machine.boot(config, TestModules.allocHook(recorder));
        m.injector.getInstance(PageHooks.class).allocKey().inc();
        vmalloc = m.injector.getInstance(Vmalloc.class);
        vmStat = m.injector.getInstance(VmStat.class);
        freeAtBoot = m.alloc.freePfns().cardinality();
    }

    private void boot() {
        boot(MemoryConfig.of("64M"));
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(vmalloc.nrAreas()).isZero();
        assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void takesOneOrderZeroPagePerPageAndVfreeGivesThemBack() {
        boot();

        long addr = vmalloc.vmalloc(3 * PAGE + 1);

        assertThat(addr).isEqualTo(START);
        assertThat(used()).isEqualTo(4);
        assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isEqualTo(4);
        VmStruct area = vmalloc.findVmArea(addr + 2 * PAGE + 17);
        assertThat(area.addr()).isEqualTo(addr);
        assertThat(area.size()).as("with the guard page").isEqualTo(5 * PAGE);
        assertThat(area.areaSize()).isEqualTo(4 * PAGE);
        assertThat(area.flags()).isEqualTo(VmStruct.VM_ALLOC);
        assertThat(area.pagesArea()).as("a 32-byte array is kmalloc'd").isZero();
        Set<Page> pages = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Page p = vmalloc.vmallocToPage(addr + i * PAGE + 123);
            assertThat(p).isSameAs(area.page(i));
            assertThat(p.refcount()).isEqualTo(1);
            pages.add(p);
        }
        assertThat(pages).hasSize(4);
        assertThat(vmalloc.vmallocToPage(addr + 4 * PAGE)).as("guard page").isNull();
        assertThat(recorder.gfps()).containsOnly(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN).hasSize(4);

        vmalloc.vfree(addr);

        assertThat(used()).isZero();
        assertThat(vmalloc.findVmArea(addr)).isNull();
        assertThat(vmalloc.vmallocToPage(addr)).isNull();
    }

    @Test
    void areasAreLaidOutFirstFitWithAGuardPageEach() {
        boot();
        long a = vmalloc.vmalloc(PAGE);
        long b = vmalloc.vmalloc(2 * PAGE);
        assertThat(a).isEqualTo(START);
        assertThat(b).isEqualTo(START + 2 * PAGE);

        vmalloc.vfree(a);
        long c = vmalloc.vmalloc(PAGE);
        long d = vmalloc.vmalloc(PAGE);

        assertThat(c).as("the hole is reused").isEqualTo(START);
        assertThat(d).isEqualTo(START + 5 * PAGE);
        vmalloc.vfree(b);
        vmalloc.vfree(c);
        vmalloc.vfree(d);
    }

    @Test
    void theCallersGfpReachesTheHooksForEveryPage() {
        boot();

        long addr = vmalloc.vmalloc(2 * PAGE, GFP_KERNEL_ACCOUNT);

        assertThat(recorder.gfps()).containsExactly(
                GFP_KERNEL_ACCOUNT | __GFP_HIGHMEM | __GFP_NOWARN,
                GFP_KERNEL_ACCOUNT | __GFP_HIGHMEM | __GFP_NOWARN);
        vmalloc.vfree(addr);
    }

    @Test
    void vmallocUserIsZeroedAndMarkedUserMappable() {
        boot();

        long addr = vmalloc.vmallocUser(PAGE);

        assertThat(vmalloc.findVmArea(addr).flags()).isEqualTo(VmStruct.VM_ALLOC | VmStruct.VM_USERMAP);
        assertThat(recorder.gfps()).containsExactly(GFP_KERNEL | __GFP_ZERO | __GFP_HIGHMEM | __GFP_NOWARN);
        vmalloc.vfree(addr);
    }

    @Test
    void beyond512PagesThePagesArrayIsAnUnaccountedVmallocAreaToo() {
        boot();
        long small = vmalloc.vmalloc(512 * PAGE, GFP_KERNEL_ACCOUNT);
        assertThat(used()).isEqualTo(512);
        assertThat(vmalloc.nrAreas()).isEqualTo(1);
        recorder.clear();

        long big = vmalloc.vmalloc(1024 * PAGE, GFP_KERNEL_ACCOUNT);

        assertThat(used()).isEqualTo(512 + 1024 + 2);
        assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isEqualTo(512 + 1024 + 2);
        long array = vmalloc.findVmArea(big).pagesArea();
        assertThat(vmalloc.findVmArea(array).nrPages()).isEqualTo(2);
        List<Integer> gfps = recorder.gfps();
        assertThat(gfps.subList(0, 2)).as("the array's pages come first and are not accounted")
                .containsOnly(GFP_KERNEL | __GFP_ZERO | __GFP_HIGHMEM | __GFP_NOWARN);
        assertThat(gfps.subList(2, gfps.size())).hasSize(1024).allMatch(g -> (g & __GFP_ACCOUNT) != 0);

        vmalloc.vfree(big);
        assertThat(vmalloc.findVmArea(array)).as("kvfree of the array").isNull();
        vmalloc.vfree(small);
        assertThat(used()).isZero();
    }

    @Test
    void aFailedAllocationFreesWhatItTookAndWarns() {
        boot(MemoryConfig.of("4M"));
        List<Page> hoard = hoardAllBut(10);

        assertThat(vmalloc.vmalloc(20 * PAGE)).isZero();

        assertThat(m.alloc.freePfns().cardinality()).as("the 10 pages it got are back").isEqualTo(10);
        assertThat(vmalloc.nrAreas()).isZero();
        assertThat(m.log.lines()).containsExactly("swapper/0: vmalloc error: size 40960, failed to allocate"
                + " pages, mode:0xcc2(GFP_KERNEL|__GFP_HIGHMEM), nodemask=(null)");
        hoard.forEach(m.alloc::freePage);
    }

    @Test
    void aFailedAllocationWithNowarnIsSilent() {
        boot(MemoryConfig.of("4M"));
        List<Page> hoard = hoardAllBut(10);

        assertThat(vmalloc.vmalloc(20 * PAGE, GFP_KERNEL | __GFP_NOWARN)).isZero();

        assertThat(m.log.lines()).isEmpty();
        assertThat(m.alloc.freePfns().cardinality()).isEqualTo(10);
        hoard.forEach(m.alloc::freePage);
    }

    @Test
    void moreThanAllMemoryIsRefusedUpFront() {
        boot(MemoryConfig.of("4M"));

        assertThat(vmalloc.vmalloc((4L << 20) + 1)).isZero();

        assertThat(m.log.lines()).containsExactly("swapper/0: vmalloc error: size 4194305, exceeds total"
                + " pages, mode:0xcc0(GFP_KERNEL), nodemask=(null)");
        assertThat(used()).isZero();
    }

    @Test
    void zeroBytesWarnOnce() {
        boot();

        assertThat(vmalloc.vmalloc(0)).isZero();
        assertThat(vmalloc.vmalloc(0)).isZero();

        assertThat(m.log.lines()).containsExactly("------------[ cut here ]------------",
                "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c __vmalloc_node_range");
        assertThat(m.log.isTainted(KernelLog.TAINT_WARN)).isTrue();
    }

    @Test
    void aFullRangeHasNoRoomForAnotherArea() {
        boot();
        long end = START + 3 * PAGE;
        long first = vmalloc.vmallocNodeRange(PAGE, 1, START, end, GFP_KERNEL, 0);
        assertThat(first).isEqualTo(START);

        assertThat(vmalloc.vmallocNodeRange(PAGE, 1, START, end, GFP_KERNEL, 0)).isZero();

        assertThat(m.log.lines()).containsExactly("swapper/0: vmalloc error: size 4096, vm_struct"
                + " allocation failed, mode:0xcc0(GFP_KERNEL), nodemask=(null)");
        assertThat(used()).isEqualTo(1);
        vmalloc.vfree(first);
    }

    @Test
    void vfreeOfNothingIsANoOpAndOfAnythingElseWarns() {
        boot();
        long addr = vmalloc.vmalloc(2 * PAGE);

        vmalloc.vfree(0);
        assertThat(m.log.lines()).isEmpty();

        vmalloc.vfree(START + 100 * PAGE);
        vmalloc.vfree(addr + 1);

        assertThat(m.log.lines()).containsExactly(
                "------------[ cut here ]------------",
                "Trying to vfree() nonexistent vm area (ffffc90000064000)",
                "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c vfree",
                "------------[ cut here ]------------",
                "Trying to vfree() bad address (ffffc90000000001)",
                "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c vfree");
        assertThat(m.log.isTainted(KernelLog.TAINT_WARN)).isTrue();
        assertThat(used()).as("nothing was freed").isEqualTo(2);

        vmalloc.vfree(addr + PAGE);
        assertThat(used()).as("an address inside the area frees all of it").isZero();
        m.log.clear();
        vmalloc.vfree(addr);
        assertThat(m.log.dmesg()).contains("Trying to vfree() nonexistent vm area (ffffc90000000000)");
    }

    private List<Page> hoardAllBut(int left) {
        List<Page> hoard = new ArrayList<>();
        for (Page p; (p = m.alloc.allocPage(GFP_KERNEL | __GFP_NOWARN)) != null; ) {
            hoard.add(p);
        }
        for (int i = 0; i < left; i++) {
            m.alloc.freePage(hoard.remove(hoard.size() - 1));
        }
        recorder.clear();
        return hoard;
    }

    private long used() {
        return freeAtBoot - m.alloc.freePfns().cardinality();
    }
}
