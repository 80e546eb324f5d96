package org.mmemu.core.vmstat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.TestModules;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.vmalloc.Vmalloc;

/**
 * The per-page statistics a page's owner sees ({@code mod_lruvec_page_state},
 * {@code mod_memcg_page_state}): rmap, the page-table constructor and vmalloc tell the bound
 * {@link PageStatHook}s which page each change is about, with the same deltas as the node
 * counters, drift included.
 */
class PageStatsTest {
    private static final long BASE = 0x10000000L;
    private static final long PAGE = MemMap.PAGE_SIZE;

    /** One change as a hook saw it. */
    private record Change(long pfn, VmStatItem item, int delta) {
    }

    private final List<Change> seen = new ArrayList<>();
    private Machine m;
    private VmStat vmStat;
    private AddressSpaces spaces;
    private MemoryMapping memory;

    private void boot(com.google.inject.Module... extra) {
        com.google.inject.Module[] all = new com.google.inject.Module[extra.length + 1];
        all[0] = binder -> PageHooks.statHooks(binder).add(
                (page, item, delta) -> seen.add(new Change(page.pfn(), item, delta)));
        System.arraycopy(extra, 0, all, 1, extra.length);
        m = Machine.boot(all);
        vmStat = m.vmStat;
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
    }

    @AfterEach
    void nothingLeaked() {
        for (VmStatItem item : List.of(VmStatItem.NR_FILE_MAPPED, VmStatItem.NR_ANON_MAPPED,
                VmStatItem.NR_PAGETABLE)) {
            assertThat(sum(item)).as("the hook's net %s follows the node counter", item)
                    .isEqualTo(vmStat.read(item));
        }
        assertThat(m.leakedPages()).isZero();
    }

    private long sum(VmStatItem item) {
        return seen.stream().filter(c -> c.item() == item).mapToLong(Change::delta).sum();
    }

    private List<Change> of(VmStatItem item) {
        return seen.stream().filter(c -> c.item() == item).toList();
    }

    @Test
    void mappingAndUnmappingAPageReportsItsFileMappedChanges() {
        boot();
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapSpecial(mm, BASE, PAGE, VM_READ | VM_SHARED);
        Page page = m.alloc.allocPage(GFP_KERNEL);

        assertThat(memory.vmInsertPage(mm.vmaLookup(BASE), BASE, page)).isZero();
        assertThat(of(VmStatItem.NR_FILE_MAPPED))
                .containsExactly(new Change(page.pfn(), VmStatItem.NR_FILE_MAPPED, 1));

        spaces.munmap(mm, BASE, PAGE);
        assertThat(of(VmStatItem.NR_FILE_MAPPED)).containsExactly(
                new Change(page.pfn(), VmStatItem.NR_FILE_MAPPED, 1),
                new Change(page.pfn(), VmStatItem.NR_FILE_MAPPED, -1));
        spaces.mmput(mm);
        m.alloc.freePage(page);
    }

    @Test
    void aTypedPageMappedBefore51DriftsForItsOwnerToo() {
        boot(TestModules.select(PageTypeEncoding.class, "pagetype.Value48"),
                TestModules.select(InsertPagePolicy.class, "insertpage.AnonOnly"));
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapSpecial(mm, BASE, PAGE, VM_READ | VM_SHARED);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.types.set(page, PageType.KMEMCG);

        memory.vmInsertPage(mm.vmaLookup(BASE), BASE, page);
        assertThat(of(VmStatItem.NR_FILE_MAPPED)).as("-512 -> -511: inc_and_test is false").isEmpty();
        spaces.munmap(mm, BASE, PAGE);
        assertThat(of(VmStatItem.NR_FILE_MAPPED)).containsExactly(
                new Change(page.pfn(), VmStatItem.NR_FILE_MAPPED, -1));

        spaces.mmput(mm);
        m.types.clear(page, PageType.KMEMCG);
        m.alloc.freePage(page);
    }

    @Test
    void everyPageTableCountsForItsOwnPage() {
        boot();
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapAnonymous(mm, BASE, PAGE, VM_READ);
        assertThat(memory.handleAnonFault(mm.vmaLookup(BASE), BASE)).isZero();

        List<Change> ctors = of(VmStatItem.NR_PAGETABLE);
        assertThat(ctors).hasSize(3).allMatch(c -> c.delta() == 1);
        assertThat(ctors.stream().map(Change::pfn).distinct()).as("one page each").hasSize(3);
        assertThat(of(VmStatItem.NR_ANON_MAPPED)).hasSize(1);

        spaces.mmput(mm);
        assertThat(of(VmStatItem.NR_PAGETABLE)).hasSize(6);
    }

    @Test
    void vmallocCountsAnAccountedAreaForItsFirstPageAndVfreeTakesEveryAreaBack() {
        boot();
        Vmalloc vmalloc = m.injector.getInstance(Vmalloc.class);
        long plain = vmalloc.vmalloc(2 * PAGE, GFP_KERNEL);
        assertThat(of(VmStatItem.NR_VMALLOC)).as("unaccounted: nothing at allocation").isEmpty();
        long accounted = vmalloc.vmalloc(3 * PAGE, GFP_KERNEL_ACCOUNT);
        long first = vmalloc.vmallocToPage(accounted).pfn();
        long plainFirst = vmalloc.vmallocToPage(plain).pfn();
        assertThat(of(VmStatItem.NR_VMALLOC)).containsExactly(new Change(first, VmStatItem.NR_VMALLOC, 3));

        vmalloc.vfree(accounted);
        vmalloc.vfree(plain);
        // vfree does not know how the area was allocated: an owner that never counted it
        // (a page with no memcg) ignores the decrement.
        assertThat(of(VmStatItem.NR_VMALLOC)).containsExactly(
                new Change(first, VmStatItem.NR_VMALLOC, 3),
                new Change(first, VmStatItem.NR_VMALLOC, -3),
                new Change(plainFirst, VmStatItem.NR_VMALLOC, -2));
        assertThat(vmStat.read(VmStatItem.NR_VMALLOC)).isZero();
    }
}
