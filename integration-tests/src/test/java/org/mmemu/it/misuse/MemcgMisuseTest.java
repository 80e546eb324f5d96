package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.it.misuse.Misuses.assertBug;

import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.it.fixture.ChargedPages;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroupVectors;
import org.mmemu.memcg.kmem.KmemPages;

/** Misuses of memcg's page API: the {@code memcg_data} helpers, uncharging, freed objects. */
class MemcgMisuseTest {
    /**
     * {@code free_kmem_pages} of a page that was never charged: the helper era's uncharge finds
     * no memcg and returns (from 4.8 the helper is plain {@code __free_pages}); the page is freed,
     * no cgroup is uncharged.
     */
    @Eras(memory = "64M")
    void unchargeOfAnUnchargedPageChangesNoCounter(Kernel k) {
        Witness w = Witness.of(k);
        Page page = k.get(PageAllocator.class).allocPage(GFP_KERNEL);
        w.mark();

        k.get(KmemPages.class).freeKmemPages(page, 0);

        assertThat(page.refcount()).isZero();
        w.assertUnchangedAndRelease(1);
    }

    /**
     * 5.11's {@code page_objcgs} on a kmem page (memcg_data names a memcg with
     * {@code MEMCG_DATA_KMEM}): {@code VM_BUG_ON_PAGE}; the page keeps its charge.
     */
    @Eras(value = Era.V5_11, memory = "64M")
    void pageObjcgsOfAKmemPageIsABug(Kernel k) {
        Witness w = Witness.of(k);
        Page page = w.pagesCharged().get(0);
        long data = page.memcgData();
        w.mark();

        assertBug("VM_BUG_ON_PAGE(memcg_data && !(memcg_data & MEMCG_DATA_OBJCGS))",
                () -> k.get(MemcgData.class).pageObjcgs(page));

        assertThat(page.memcgData()).isEqualTo(data);
        w.assertUnchangedAndRelease();
    }

    /**
     * 5.11's {@code page_memcg} on a page carrying an obj_cgroup vector: {@code VM_BUG_ON_PAGE};
     * the vector stays, and is freed as usual afterwards.
     */
    @Eras(value = Era.V5_11, memory = "64M")
    void pageMemcgOfAnObjcgsPageIsABug(Kernel k) {
        Witness w = Witness.of(k);
        PageAllocator alloc = k.get(PageAllocator.class);
        ObjCgroupVectors vectors = k.get(ObjCgroupVectors.class);
        Page page = alloc.allocPage(GFP_KERNEL);
        assertThat(vectors.memcgAllocPageObjCgroups(page, 8, GFP_KERNEL)).isZero();
        long data = page.memcgData();
        w.mark();

        assertBug("VM_BUG_ON_PAGE(memcg_data & MEMCG_DATA_OBJCGS)", () -> k.get(MemcgData.class).pageMemcg(page));

        assertThat(page.memcgData()).isEqualTo(data);
        w.assertUnchangedAndRelease();
        vectors.memcgFreePageObjCgroups(page, true);
        alloc.freePage(page);
    }

    /** Decoding the address of a cgroup that was removed and released: KASAN use-after-free. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aReleasedCgroupsAddressIsAUseAfterFree(Kernel k) {
        Witness w = Witness.of(k);
        MemCgroup gone = k.cgroupfs().mkdir("/gone");
        long address = gone.address();
        k.cgroupfs().rmdir("/gone");
        k.drainAllStock();
        assertThat(gone.state()).isEqualTo(MemCgroup.State.RELEASED);
        w.mark();

        assertBug("BUG: KASAN: use-after-free", () -> k.get(MemcgData.class).memcgAt(address));
        w.assertUnchangedAndRelease();
    }

    /** Decoding a live cgroup's address as an obj_cgroup: KASAN type confusion. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aCgroupDecodedAsAnObjcgIsATypeConfusion(Kernel k) {
        Witness w = Witness.of(k);
        long address = k.get(CgroupTree.class).lookup(Witness.CGROUP).address();
        w.mark();

        assertBug("BUG: KASAN: type confusion", () -> k.get(KernelObjects.class).resolve(address, ObjCgroup.class));
        w.assertUnchangedAndRelease();
    }

    /** Decoding an address no object was ever given: KASAN wild-memory-access. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aWildAddressIsAWildMemoryAccess(Kernel k) {
        Witness w = Witness.of(k);
        long address = k.get(CgroupTree.class).lookup(Witness.CGROUP).address() + (1L << 30);
        w.mark();

        assertBug("BUG: KASAN: wild-memory-access", () -> k.get(MemcgData.class).memcgAt(address));
        w.assertUnchangedAndRelease();
    }

    /**
     * A kmem page charged by a task, freed twice through {@code free_kmem_pages}: the second free
     * is {@code VM_BUG_ON_PAGE(page_ref_count(page) == 0)} and uncharges nothing more.
     */
    @Eras(memory = "64M")
    void aKmemPageFreedTwiceIsABugAndUnchargedOnce(Kernel k) {
        Witness w = Witness.of(k);
        k.cgroupfs().mkdir("/job");
        ChargedPages charged = ChargedPages.charge(k, k.spawn("/job"), MemMap.PAGE_SIZE);
        Page page = charged.pages().get(0);
        charged.free();
        KmemPages kmem = k.get(KmemPages.class);
        k.drainAllStock();
        long current = k.cgroupfs().readLong("/job/memory.current");
        w.mark();

        assertBug("page_ref_count(page) == 0", () -> kmem.freeKmemPages(page, 0));

        k.drainAllStock();
        assertThat(k.cgroupfs().readLong("/job/memory.current")).isEqualTo(current);
        w.assertUnchangedAndRelease();
    }
}
