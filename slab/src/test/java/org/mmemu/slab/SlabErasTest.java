package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;

/** What changes with the era: the counters' word, the slab mark, names, and who maps or charges. */
class SlabErasTest {
    private static boolean countersInMapcount(KernelRelease r) {
        return r.compareTo(KernelRelease.V4_18) < 0;
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void theCountersLiveInTheErasWord(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        KmemCache s = m.get(SlabCaches.class).kmemCacheCreate("c", 128, 0, 0);
        long x = m.get(Slub.class).kmemCacheAlloc(s, GFP_KERNEL);
        Page page = m.memMap().virtToPage(x);
        int counters = MapcountWord.slubCounters(s.objects(), s.objects(), true);
        if (countersInMapcount(release)) {
            assertThat(page.mapcountWord()).as("the _mapcount union").isEqualTo(counters);
            assertThat(page.privateWord()).isZero();
        } else {
            assertThat(page.privateWord()).as("the counters word").isEqualTo(counters);
        }
        boolean typed = release == KernelRelease.LATEST;
        assertThat(page.testFlag(PageFlags.PG_slab)).isEqualTo(!typed);
        assertThat(m.types().has(page, PageType.SLAB)).isEqualTo(typed);
        m.get(Slub.class).kmemCacheFree(s, x);
        m.get(SlabCaches.class).kmemCacheDestroy(s);
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void slabCountersNeverReadAsAPageType(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        SlabCaches caches = m.get(SlabCaches.class);
        Set<PageType> expected = release == KernelRelease.LATEST ? Set.of(PageType.SLAB) : Set.of();
        Seeded.run(0x51abL + release.ordinal(), rnd -> {
            List<Long> live = new ArrayList<>();
            for (int step = 0; step < 3000; step++) {
                if (live.isEmpty() || rnd.nextInt(5) < 3) {
                    live.add(kmalloc.kmalloc(1 + rnd.nextInt(Kmalloc.KMALLOC_MAX_CACHE_SIZE), GFP_KERNEL));
                } else {
                    kmalloc.kfree(live.remove(rnd.nextInt(live.size())));
                }
                if (step % 100 == 0) {
                    for (int pfn = 0; pfn < m.memMap().nrPages(); pfn++) {
                        Page p = m.memMap().page(pfn);
                        if (caches.isSlab(p)) {
                            assertThat(m.types().encoding().typesOf(p.mapcountWord())).as("%s", p).isEqualTo(expected);
                            assertThat(m.types().hasAnyType(p)).isEqualTo(!expected.isEmpty());
                        }
                    }
                    assertThat(m.problems()).isEmpty();
                }
            }
            live.forEach(kmalloc::kfree);
        });
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void vmInsertPageRefusesASlabPageFrom51(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        long x = m.get(Kmalloc.class).kmalloc(64, GFP_KERNEL);
        Page page = m.memMap().virtToPage(x);
        boolean refused = m.get(InsertPagePolicy.class).refuses(page, page, m.types());
        assertThat(refused).isEqualTo(release.compareTo(KernelRelease.V5_9) >= 0);
        m.get(Kmalloc.class).kfree(x);
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void kmallocLargeIsChargedInEveryEra(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        MemCgroup job = m.get(Cgroups.class).mkdir("/job");
        TaskStruct task = SlabEraMachine.writerIn(m, job);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x;
        ChargeStock stock = m.get(ChargeStock.class);
        try (Tasks.TaskScope scope = m.tasks().enter(task)) {
            x = kmalloc.kmalloc(3 * 4096, GFP_KERNEL_ACCOUNT);
        }
        Page page = m.memMap().virtToPage(x);
        assertThat(page.testFlag(PageFlags.PG_head)).as("a compound block").isTrue();
        assertThat(kmalloc.ksize(x)).isEqualTo(4 * 4096);
        // 4.7 by kmalloc_order's alloc_kmem_pages, 4.8+ by the page allocator's hooks.
        assertThat(page.memcgData()).as("page->mem_cgroup or memcg_data").isNotZero();
        assertThat(job.memory().read() - stock.stockedPagesOf(job)).as("pages charged, the stock aside")
                .isEqualTo(4);
        try (Tasks.TaskScope scope = m.tasks().enter(task)) {
            Page plain = m.alloc().allocPage(GFP_KERNEL_ACCOUNT);
            assertThat(plain.memcgData() != 0).as("the allocator itself charges from 4.8 only")
                    .isEqualTo(release.compareTo(KernelRelease.V4_8) >= 0);
            m.alloc().freePage(plain);
            kmalloc.kfree(x);
        }
        assertThat(job.memory().read() - stock.stockedPagesOf(job)).as("kfree uncharges").isZero();
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void anAccountedKmallocNeverMakesItsSlabPageAKmemPage(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        MemCgroup job = m.get(Cgroups.class).mkdir("/job");
        TaskStruct task = SlabEraMachine.writerIn(m, job);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x;
        try (Tasks.TaskScope scope = m.tasks().enter(task)) {
            x = kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT);
        }
        Page page = m.memMap().virtToPage(x);
        boolean objcgs = release.compareTo(KernelRelease.V5_9) >= 0;
        assertThat(page.memcgData()).as("new_slab strips __GFP_ACCOUNT: no memcg, at most an objcg vector")
                .isEqualTo(objcgs ? page.memcgData() | MemcgData.MEMCG_DATA_OBJCGS : 0);
        assertThat(m.types().has(page, PageType.KMEMCG)).isFalse();
        assertThat(job.memory().read() != 0).as("the object is charged from 5.9 (clones are not modelled)")
                .isEqualTo(objcgs);
        try (Tasks.TaskScope scope = m.tasks().enter(task)) {
            kmalloc.kfree(x);
        }
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void destroyReportsObjectsRemainingInTheErasWords(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        SlabCaches caches = m.get(SlabCaches.class);
        KmemCache s = caches.kmemCacheCreate("leaky", 512, 0, 0);
        long x = m.get(Slub.class).kmemCacheAlloc(s, GFP_KERNEL);
        caches.kmemCacheDestroy(s);
        boolean latest = release == KernelRelease.LATEST;
        String object = String.format("Object 0x%016x @offset=%d", x, x & 0xfff);
        String info = latest ? "" : "INFO: ";
        assertThat(m.log().lines()).contains(
                "BUG leaky (Not tainted): Objects remaining in leaky on __kmem_cache_shutdown()", info + object,
                latest ? "kmem_cache_destroy leaky: Slab cache still has objects when called from kmem_cache_destroy"
                        : "kmem_cache_destroy leaky: Slab cache still has objects");
        assertThat(m.log().lines()).anySatisfy(l -> assertThat(l).startsWith(info + "Slab 0x")
                .contains("objects=" + s.objects() + " used=1 fp=0x"));
        assertThat(m.log().isTainted(org.mmemu.core.printk.KernelLog.TAINT_WARN)).isEqualTo(latest);
        m.get(Slub.class).kmemCacheFree(s, x);
        caches.kmemCacheDestroy(s);
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void kmallocNamesAndFreePointersFollowTheEra(KernelRelease release) {
        TestMachine m = SlabEraMachine.boot(release);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        boolean new52 = release.compareTo(KernelRelease.V5_9) >= 0;
        assertThat(kmalloc.kmallocSlab(1024).name()).isEqualTo(new52 ? "kmalloc-1k" : "kmalloc-1024");
        assertThat(kmalloc.kmallocSlab(96).name()).isEqualTo("kmalloc-96");
        assertThat(kmalloc.kmallocSlab(64).offset()).isEqualTo(new52 ? 32 : 0);
        m.verify();
    }
}
