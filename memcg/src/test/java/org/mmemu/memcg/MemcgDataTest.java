package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.memcg.MemcgData.MEMCG_DATA_FLAGS_MASK;
import static org.mmemu.memcg.MemcgData.MEMCG_DATA_KMEM;
import static org.mmemu.memcg.MemcgData.MEMCG_DATA_OBJCGS;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;

class MemcgDataTest {
    private final MemcgMachine m = MemcgMachine.boot();
    private MemCgroup job;
    private Page page;
    private long vector;

    @BeforeEach
    void setUp() {
        job = m.cgroups.mkdir("/job");
        page = m.alloc.allocPage(GFP_KERNEL);
        vector = m.objects.register(new Object[8]);
    }

    @AfterEach
    void cleanUp() {
        page.setMemcgData(0);
        page.clearFlag(PageFlags.PG_slab);
        m.alloc.freePage(page);
        m.objects.free(vector);
        m.cgroups.rmdir(job);
        m.assertNoLeaks();
    }

    @Test
    void flagValuesAreTheKernels() {
        assertThat(MEMCG_DATA_OBJCGS).isEqualTo(1);
        assertThat(MEMCG_DATA_KMEM).isEqualTo(2);
        assertThat(MEMCG_DATA_FLAGS_MASK).isEqualTo(3);
        assertThat(MemcgData.NR_MEMCG_DATA_FLAGS).isEqualTo(4);
        assertThat(job.address() & MEMCG_DATA_FLAGS_MASK).as("object addresses leave the flag bits free").isZero();
    }

    @Test
    void pageMemcgMasksTheFlags() {
        page.setMemcgData(job.address() | MEMCG_DATA_KMEM);
        assertThat(m.data.pageMemcg(page)).isSameAs(job);
        assertThat(m.data.pageMemcgCheck(page)).isSameAs(job);
        assertThat(m.data.pageMemcgKmem(page)).isTrue();
        page.setMemcgData(job.address());
        assertThat(m.data.pageMemcg(page)).isSameAs(job);
        assertThat(m.data.pageMemcgKmem(page)).isFalse();
        page.setMemcgData(0);
        assertThat(m.data.pageMemcg(page)).isNull();
        assertThat(m.data.pageMemcgCheck(page)).isNull();
    }

    @Test
    void pageMemcgRefusesSlabPagesAndObjcgVectors() {
        page.setMemcgData(vector | MEMCG_DATA_OBJCGS);
        assertThatThrownBy(() -> m.data.pageMemcg(page))
                .isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("VM_BUG_ON_PAGE(memcg_data & MEMCG_DATA_OBJCGS)")
                .hasMessageContaining("page dumped because: VM_BUG_ON_PAGE(memcg_data & MEMCG_DATA_OBJCGS)");
        assertThat(m.data.pageMemcgCheck(page)).as("the check variant is safe on any page").isNull();
        assertThatThrownBy(() -> m.data.pageMemcgKmem(page)).isInstanceOf(KernelBug.class);
        page.setMemcgData(0);
        page.setFlag(PageFlags.PG_slab);
        assertThatThrownBy(() -> m.data.pageMemcg(page)).hasMessageStartingWith("VM_BUG_ON_PAGE(PageSlab(page))");
        assertThatThrownBy(() -> m.data.pageMemcgRcu(page)).hasMessageStartingWith("VM_BUG_ON_PAGE(PageSlab(page))");
    }

    @Test
    void pageMemcgRcuWarnsOnceOutsideRcu() {
        page.setMemcgData(job.address() | MEMCG_DATA_KMEM);
        assertThat(m.data.pageMemcgRcu(page)).isSameAs(job);
        assertThat(m.data.pageMemcgRcu(page)).isSameAs(job);
        assertThat(m.log.lines()).filteredOn(l -> l.contains("rcu_read_lock")).hasSize(1);
    }

    @Test
    void pageObjcgsAccessorsCheckTheKind() {
        assertThat(m.data.pageObjcgs(page)).isZero();
        assertThat(m.data.pageObjcgsCheck(page)).isZero();
        page.setMemcgData(vector | MEMCG_DATA_OBJCGS);
        assertThat(m.data.pageObjcgs(page)).isEqualTo(vector);
        assertThat(m.data.pageObjcgsCheck(page)).isEqualTo(vector);

        page.setMemcgData(job.address() | MEMCG_DATA_KMEM);
        assertThat(m.data.pageObjcgsCheck(page)).as("not a vector: NULL before the KMEM check").isZero();
        assertThatThrownBy(() -> m.data.pageObjcgs(page))
                .hasMessageStartingWith("VM_BUG_ON_PAGE(memcg_data && !(memcg_data & MEMCG_DATA_OBJCGS))");
        page.setMemcgData(vector | MEMCG_DATA_OBJCGS | MEMCG_DATA_KMEM);
        assertThatThrownBy(() -> m.data.pageObjcgs(page)).hasMessageStartingWith("VM_BUG_ON_PAGE(memcg_data & MEMCG_DATA_KMEM)");
        assertThatThrownBy(() -> m.data.pageObjcgsCheck(page)).hasMessageStartingWith("VM_BUG_ON_PAGE(memcg_data & MEMCG_DATA_KMEM)");
    }

    @Test
    void setPageObjcgsWinsOnlyFromZero() {
        assertThat(MemcgData.setPageObjcgs(page, vector)).isTrue();
        assertThat(page.memcgData()).isEqualTo(vector | MEMCG_DATA_OBJCGS);
        long other = m.objects.register(new Object[8]);
        assertThat(MemcgData.setPageObjcgs(page, other)).as("the loser frees its vector").isFalse();
        assertThat(m.data.pageObjcgs(page)).isEqualTo(vector);
        m.objects.free(other);
    }

    @Test
    void decodingAReleasedMemcgIsAUseAfterFree() {
        MemCgroup gone = m.cgroups.mkdir("/gone");
        page.setMemcgData(gone.address() | MEMCG_DATA_KMEM);
        m.cgroups.rmdir(gone);
        assertThatThrownBy(() -> m.data.pageMemcgCheck(page))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("BUG: KASAN: use-after-free");
    }

    @Test
    void anObjcgPointerDecodesToItsCurrentMemcg() {
        MemCgroup child = m.cgroups.mkdir(job, "child");
        ObjCgroup objcg = child.objcg();
        objcg.get();
        page.setMemcgData(objcg.address() | MEMCG_DATA_KMEM);
        assertThat(m.data.pageMemcg(page)).isSameAs(child);
        m.cgroups.rmdir(child);
        assertThat(m.data.pageMemcg(page)).as("reparented").isSameAs(job);
        page.setMemcgData(0);
        objcg.put();
        assertThat(m.objects.isLive(objcg.address())).isFalse();
    }
}
