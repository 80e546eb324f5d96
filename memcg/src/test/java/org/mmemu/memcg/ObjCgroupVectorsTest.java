package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.testing.CpuThread;

class ObjCgroupVectorsTest {
    private final MemcgMachine m = TestEra.V5_11.boot(FakeSlab.MODULE);
    private final ObjCgroupVectors vectors = m.injector.getInstance(ObjCgroupVectors.class);
    private final ObjCgroupVectorMemory memory = m.injector.getInstance(ObjCgroupVectorMemory.class);
    private final Page page = m.alloc.allocPages(GFP_KERNEL, 0);

    @AfterEach
    void noLeaks() {
        m.alloc.freePages(page, 0);
        m.assertNoLeaks();
    }

    @Test
    void theVectorIsAKcallocOfOnePointerPerObjectTaggedInBitZero() {
        assertThat(vectors.memcgAllocPageObjCgroups(page, 32, GFP_KERNEL)).isZero();

        ObjCgroupVector vector = vectors.pageObjcgs(page);
        assertThat(vector.objects()).isEqualTo(32);
        assertThat(vector.bytes()).as("kcalloc(32, sizeof(struct obj_cgroup *))").isEqualTo(256);
        assertThat(page.memcgData()).isEqualTo(vector.address() | MemcgData.MEMCG_DATA_OBJCGS);
        assertThat(vectors.pageObjCgroups(page)).as("the unchecked reader agrees").isSameAs(vector);
        Page backing = m.memMap.virtToPage(vector.backing());
        assertThat(backing).as("its memory: a page of its own, until slab binds kmalloc").isNotSameAs(page);
        assertThat(backing.refcount()).isEqualTo(1);

        vectors.memcgFreePageObjCgroups(page, true);
        assertThat(page.memcgData()).isZero();
        assertThat(m.objects.isLive(vector.address())).isFalse();
        assertThat(backing.refcount()).as("kfree'd").isZero();
    }

    @Test
    void aSecondAttachKeepsTheFirstVectorAndFreesItsOwn() {
        assertThat(vectors.memcgAllocPageObjCgroups(page, 16, GFP_KERNEL)).isZero();
        ObjCgroupVector first = vectors.pageObjcgs(page);
        List<Long> freed = new ArrayList<>();
        ObjCgroupVectors second = new ObjCgroupVectors(m.objects, new ObjCgroupVectorMemory() {
            @Override
            public long kcalloc(int size, int gfp) {
                return memory.kcalloc(size, gfp);
            }

            @Override
            public void kfree(long address, int size) {
                freed.add(address);
                memory.kfree(address, size);
            }
        }, m.data, m.cpus);

        assertThat(second.memcgAllocPageObjCgroups(page, 16, GFP_KERNEL)).isZero();
        assertThat(vectors.pageObjcgs(page)).isSameAs(first);
        assertThat(freed).as("the loser's memory was freed").hasSize(1).doesNotContain(first.backing());
        vectors.memcgFreePageObjCgroups(page, true);
    }

    @Test
    void aFailedKcallocIsEnomemAndLeavesThePageAlone() {
        ObjCgroupVectors failing = new ObjCgroupVectors(m.objects, FakeSlab.NO_MEMORY, m.data, m.cpus);
        assertThat(failing.memcgAllocPageObjCgroups(page, 32, GFP_KERNEL)).isEqualTo(Errno.ENOMEM.negative());
        assertThat(page.memcgData()).isZero();
    }

    @Test
    void theCheckedReaderRefusesAPageThatHoldsAMemcg() {
        MemCgroup job = m.cgroups.mkdir("/job");
        page.setMemcgData(job.address());
        try {
            assertThat(vectors.pageObjCgroups(page)).as("5.9/5.10: bit 0 clear, no vector").isNull();
            assertThatThrownBy(() -> vectors.pageObjcgs(page)).isInstanceOf(KernelBug.class)
                    .hasMessageContaining("memcg_data && !(memcg_data & MEMCG_DATA_OBJCGS)");
            assertThatThrownBy(() -> vectors.memcgFreePageObjCgroups(page, true)).isInstanceOf(KernelBug.class);
        } finally {
            page.setMemcgData(0);
            m.cgroups.rmdir(job);
        }
    }

    @Test
    void aFreedVectorDecodesAsAUseAfterFree() {
        assertThat(vectors.memcgAllocPageObjCgroups(page, 8, GFP_KERNEL)).isZero();
        long stale = page.memcgData();
        vectors.memcgFreePageObjCgroups(page, false);
        page.setMemcgData(stale);
        try {
            assertThatThrownBy(() -> vectors.pageObjCgroups(page)).isInstanceOf(KernelBug.class)
                    .hasMessageContaining("use-after-free");
        } finally {
            page.setMemcgData(0);
        }
    }

    @Test
    void aVectorThisCpuDecodedLastIsAUseAfterFreeOnceFreed() {
        Cpu cpu = m.cpus.current();
        assertThat(vectors.memcgAllocPageObjCgroups(page, 8, GFP_KERNEL)).isZero();
        long stale = page.memcgData();
        ObjCgroupVector vector = vectors.pageObjcgs(cpu, page);
        assertThat(vectors.pageObjCgroups(cpu, page)).as("decoded again on the same CPU").isSameAs(vector);
        vectors.memcgFreePageObjCgroups(page, true);
        page.setMemcgData(stale);
        try {
            assertThatThrownBy(() -> vectors.pageObjcgs(cpu, page)).isInstanceOf(KernelBug.class)
                    .hasMessageContaining("use-after-free");
            assertThatThrownBy(() -> vectors.pageObjCgroups(cpu, page)).isInstanceOf(KernelBug.class)
                    .hasMessageContaining("use-after-free");
        } finally {
            page.setMemcgData(0);
        }
    }

    @Test
    void eachPageDecodesToItsOwnVectorWhenOneCpuAlternatesBetweenThem() {
        Cpu cpu = m.cpus.current();
        Page other = m.alloc.allocPages(GFP_KERNEL, 0);
        assertThat(vectors.memcgAllocPageObjCgroups(page, 8, GFP_KERNEL)).isZero();
        assertThat(vectors.memcgAllocPageObjCgroups(other, 16, GFP_KERNEL)).isZero();
        for (int round = 0; round < 3; round++) {
            assertThat(vectors.pageObjcgs(cpu, page).objects()).as("round %d, the first page", round).isEqualTo(8);
            assertThat(vectors.pageObjCgroups(cpu, other).objects()).as("round %d, the second", round).isEqualTo(16);
        }
        assertThat(vectors.pageObjcgs(cpu, page)).isSameAs(vectors.pageObjcgs(page));
        vectors.memcgFreePageObjCgroups(other, true);
        vectors.memcgFreePageObjCgroups(page, true);
        m.alloc.freePages(other, 0);
    }

    @Test
    void aVectorFreedWhileACpuDecodesItNeverAnswersForTheVectorThatReusesItsAddress() {
        CpuThread cpu1 = CpuThread.start(m.cpus, 1);
        assertThat(vectors.memcgAllocPageObjCgroups(page, 8, GFP_KERNEL)).isZero();
        ObjCgroupVector freed = vectors.pageObjcgs(page);
        ObjCgroupVector[] decoded = new ObjCgroupVector[1];
        cpu1.runUntil(ObjCgroupVectorLookaside.FILL, () -> decoded[0] = vectors.pageObjcgs(m.cpus.current(), page));
        // A kernel bug: the slab page's vector is freed under cpu1's decode, before its entry is filled.
        vectors.memcgFreePageObjCgroups(page, true);
        cpu1.release();
        assertThat(decoded[0]).as("resolved while it lived").isSameAs(freed);

        Page other = m.alloc.allocPages(GFP_KERNEL, 0);
        ObjCgroupVector reusing = attachUntilTheQuarantineReleases(other, freed.address());
        cpu1.runAndWait(() -> decoded[0] = vectors.pageObjcgs(m.cpus.current(), other));
        assertThat(decoded[0]).as("cpu1's decode of the new vector at %x", freed.address()).isSameAs(reusing);
        vectors.memcgFreePageObjCgroups(other, true);
        m.alloc.freePages(other, 0);
        cpu1.finish();
    }

    /** Attaches and frees vectors on {@code page} until one gets {@code address}, and keeps it. */
    private ObjCgroupVector attachUntilTheQuarantineReleases(Page page, long address) {
        for (int i = 0; i <= 2 * KernelObjects.QUARANTINE_OBJECTS; i++) {
            assertThat(vectors.memcgAllocPageObjCgroups(page, 1, GFP_KERNEL)).isZero();
            ObjCgroupVector vector = vectors.pageObjcgs(page);
            if (vector.address() == address) {
                return vector;
            }
            vectors.memcgFreePageObjCgroups(page, true);
        }
        throw new AssertionError("the quarantine never released " + Long.toHexString(address));
    }

    @Test
    void aVectorLargerThanAPageTakesAnOrderOfPages() {
        int objects = MemMap.PAGE_SIZE / ObjCgroupVector.POINTER_SIZE + 1;
        assertThat(vectors.memcgAllocPageObjCgroups(page, objects, GFP_KERNEL)).isZero();
        Page backing = m.memMap.virtToPage(vectors.pageObjCgroups(page).backing());
        assertThat(backing.testFlag(PageFlags.PG_head)).as("order 1, not compound").isFalse();
        int second = (int) backing.pfn() + 1;
        assertThat(m.alloc.freePfns().get(second)).as("its second page is in use").isFalse();
        vectors.memcgFreePageObjCgroups(page, false);
        assertThat(m.alloc.freePfns().get(second)).isTrue();
    }
}
