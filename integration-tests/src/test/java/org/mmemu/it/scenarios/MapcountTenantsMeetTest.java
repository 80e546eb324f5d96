package org.mmemu.it.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.it.scenarios.Counters.charged;

import java.util.Random;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.PageTable;
import org.mmemu.core.mm.PageTableGeometry;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypes;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.MemcgData;
import org.mmemu.net.SocketType;
import org.mmemu.slab.Kmalloc;
import org.mmemu.slab.SlabPageLayout;

/**
 * The tenants of {@code _mapcount} meeting on pages that several subsystems touch (the 2015
 * review's "cost of using _mapcount"; s390's fragment bits on an accounted page are
 * {@code S390AccountedPageTablesTest}'s):
 * <ul>
 *   <li>a driver maps another task's page-table page with {@code vm_insert_page}. Until 5.1
 *       {@code insert_page} refuses only anonymous pages (mm/memory.c, 4.8.15 and 4.18), and
 *       {@code page_add_file_rmap}'s {@code atomic_inc_and_test} adds one to whatever the word
 *       holds: in 4.8 the page's {@code PAGE_KMEMCG_MAPCOUNT_VALUE} becomes a mapcount of -510
 *       and no type; in 4.18, whose {@code pgtable_page_ctor} also clears {@code PG_table}
 *       (include/linux/page-flags.h {@code PAGE_TYPE_OPS}), the carry out of the cleared bits
 *       keeps {@code PageTable}, loses {@code PageKmemcg} and makes {@code PageBuddy} and
 *       {@code PageBalloon} true. Unmapping brings the word back with a "Bad page map", and the
 *       table is uncharged once when its task exits;</li>
 *   <li>SLUB's {@code inuse/objects/frozen} overlay the word until 4.17 and the counters word
 *       after: on every slab page a workload of pipes, sockets and accounted kmallocs leaves,
 *       the registry reads no page type (but {@code PGTY_slab} in the latest era), and an
 *       accounted slab page of the clone era is charged through {@code memcg_data} alone
 *       ({@code memcg_charge_slab} calls {@code memcg_kmem_charge_memcg}, and only
 *       {@code memcg_kmem_charge} sets {@code PageKmemcg}; mm/slab.h, mm/memcontrol.c 4.8.15).</li>
 * </ul>
 */
class MapcountTenantsMeetTest {
    private static final long ADDR = 0x400000;
    private static final long PAGE = MemMap.PAGE_SIZE;

    /** The PTE table mapping {@code addr} in {@code mm}. */
    private static Page pteTablePage(Kernel k, MmStruct mm, long addr) {
        PageTableGeometry geo = k.get(MemoryMapping.class).geometry();
        PageTable table = mm.pgd();
        for (int level = geo.top(); level > 0; level--) {
            table = table.table(geo.index(addr, level));
        }
        return table.page();
    }

    @Eras(value = {Era.V4_8, Era.V4_18}, memory = "64M")
    void aDriverMappingATasksPageTablePageReadsItsTypeWordAsAMapcount(Kernel k) {
        AddressSpaces spaces = k.get(AddressSpaces.class);
        MemoryMapping memory = k.get(MemoryMapping.class);
        PageTypes types = k.get(PageTypes.class);
        k.cgroupfs().mkdir("/job");
        k.cgroupfs().mkdir("/driver");
        Task task = k.spawn("/job");
        Task driver = k.spawn("/driver");
        MmStruct mm = task.taskStruct().mm();
        try (var running = k.enter(task)) {
            spaces.mmapAnonymous(mm, ADDR, PAGE, VM_READ | VM_WRITE);
            assertThat(memory.handleAnonFault(mm.vmaLookup(ADDR), ADDR)).isZero();
        }
        Page pte = pteTablePage(k, mm, ADDR);
        int typed = pte.mapcountWord();
        boolean tableType = k.era() == Era.V4_18;
        assertThat(types.has(pte, PageType.KMEMCG)).as("charged to /job").isTrue();
        assertThat(types.has(pte, PageType.TABLE)).as("PG_table, from 4.18").isEqualTo(tableType);
        long job = charged(k, "/job");

        MmStruct dmm = driver.taskStruct().mm();
        try (var running = k.enter(driver)) {
            assertThat(spaces.mmapSpecial(dmm, ADDR, PAGE, VM_READ | VM_SHARED)).isEqualTo(ADDR);
            assertThat(memory.vmInsertPage(dmm.vmaLookup(ADDR), ADDR, pte)).as("a typed page, mapped").isZero();
        }

        assertThat(pte.mapcountWord()).as("the type word incremented").isEqualTo(typed + 1);
        assertThat(MapcountWord.pageMapcount(pte.mapcountWord())).as("page_mapcount reads the type").isNegative();
        assertThat(types.has(pte, PageType.KMEMCG)).as("PageKmemcg lost while mapped").isFalse();
        assertThat(types.has(pte, PageType.TABLE)).as("PageTable survives the carry").isEqualTo(tableType);
        assertThat(types.has(pte, PageType.BUDDY)).as("a page table reading as a free buddy page").isEqualTo(tableType);
        assertThat(types.has(pte, PageType.BALLOON)).isEqualTo(tableType);
        assertThat(k.get(MemcgData.class).pageMemcgCheck(pte)).as("memcg_data is another word").isNotNull();

        assertThat(spaces.munmap(dmm, ADDR, PAGE)).isZero();

        assertThat(pte.mapcountWord()).as("the word comes back").isEqualTo(typed);
        assertThat(types.has(pte, PageType.KMEMCG)).isTrue();
        assertThat(k.log().dmesg()).contains("BUG: Bad page map in process");
        assertThat(charged(k, "/job")).isEqualTo(job);
        task.exit();
        driver.exit();
        assertThat(charged(k, "/job")).as("the table uncharged exactly once").isZero();
        assertThat(charged(k, "/driver")).isZero();
    }

    @Eras(memory = "64M")
    void slubCountersNeverReadAsAPageTypeOnTheSlabsAWorkloadLeaves(Kernel k) {
        k.cgroupfs().mkdir("/job");
        Task t = k.spawn("/job");
        int[] pipe = t.pipe();
        int[] sv = t.socketpair(SocketType.STREAM);
        byte[] data = new byte[16 << 10];
        new Random(16).nextBytes(data);
        t.write(pipe[1], data);
        t.send(sv[0], data);
        Kmalloc kmalloc = k.get(Kmalloc.class);
        long[] objects = new long[2 * 14];
        for (int round = 0; round < 2; round++) {
            try (var running = k.enter(t)) {
                for (int i = 0; i < 14; i++) {
                    objects[round * 14 + i] = kmalloc.kmalloc(8 << (i % 11), GFP_KERNEL_ACCOUNT);
                }
            }
            k.drainAllStock();                      // up to 5.8, the clones' creation work runs
        }

        SlabPageLayout layout = k.get(SlabPageLayout.class);
        PageTypes types = k.get(PageTypes.class);
        MemMap memMap = k.get(MemMap.class);
        MemcgData memcgData = k.get(MemcgData.class);
        boolean slabIsAType = layout == SlabPageLayout.Eras.TYPED_6_10;
        boolean overlaid = layout == SlabPageLayout.Eras.MAPCOUNT_4_8;
        boolean clones = k.era().compareTo(Era.V5_9) < 0;
        int slabs = 0;
        int charged = 0;
        for (int pfn = 0; pfn < memMap.nrPages(); pfn++) {
            Page page = memMap.pfnValid(pfn) ? memMap.pfnToPage(pfn) : null;
            if (page == null || !layout.isSlab(page, types)) {
                continue;
            }
            slabs++;
            for (PageType type : PageType.values()) {
                assertThat(types.has(page, type)).as("pfn 0x%x reads as %s", pfn, type)
                        .isEqualTo(slabIsAType && type == PageType.SLAB);
            }
            assertThat(types.hasAnyType(page)).as("page_has_type of pfn 0x%x", pfn).isEqualTo(slabIsAType);
            if (overlaid) {
                int word = page.mapcountWord();
                assertThat(layout.counters(page)).isEqualTo(word);
                assertThat(MapcountWord.slubInuse(word)).as("inuse <= objects on pfn 0x%x", pfn)
                        .isBetween(0, MapcountWord.slubObjects(word));
            }
            if (clones && memcgData.pageMemcgCheck(page) != null) {
                charged++;
            }
        }
        assertThat(slabs).as("the workload's slab pages").isPositive();
        if (clones) {
            assertThat(charged).as("clone slab pages charged through memcg_data only").isPositive();
        }

        for (long object : objects) {
            kmalloc.kfree(object);
        }
        t.exit();
        assertThat(charged(k, "/job")).isZero();
    }
}
