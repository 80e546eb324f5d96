package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * get_page/put_page/__free_pages reference counting, and the VM_BUG_ONs that catch misuse:
 * a double free or a put on a free page is a {@link KernelBug} and nothing else is lost.
 */
class RefcountTest {
    private final Machine m = Machine.boot();

    @Test
    void getAndPutCountReferencesAndTheLastPutFrees() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.refs.getPage(p);
        m.refs.getPage(p);
        assertThat(m.refs.pageCount(p)).isEqualTo(3);
        m.refs.putPage(p);
        m.refs.putPage(p);
        assertThat(m.alloc.freePfns().get((int) p.pfn())).isFalse();
        m.refs.putPage(p);
        assertThat(m.alloc.freePfns().get((int) p.pfn())).isTrue();
        assertThat(m.refs.tryGetPage(p)).isFalse();
        assertThat(p.refcount()).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freePagesDropsOnlyItsOwnReference() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.refs.getPage(p);
        m.alloc.freePage(p);
        assertThat(p.refcount()).isEqualTo(1);
        assertThat(m.alloc.freePfns().get((int) p.pfn())).isFalse();
        m.refs.putPage(p);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void freePagesOfASharedNonCompoundBlockFreesAllButTheFirstPage() {
        int[] boot = new int[Zone.MAX_ORDER];
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            boot[o] = m.alloc.zone().nrFree(o);
        }
        Page p = m.alloc.allocPages(GFP_KERNEL, 3);
        m.refs.getPage(p);  // someone else still uses the first page
        m.alloc.freePages(p, 3);
        BitSet notFree = m.leakedPfns();
        assertThat(notFree.cardinality()).isEqualTo(1);
        assertThat(notFree.get((int) p.pfn())).isTrue();
        m.refs.putPage(p);
        m.alloc.drainAllPages();
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            assertThat(m.alloc.zone().nrFree(o)).isEqualTo(boot[o]);
        }
        assertThat(m.leakedPages()).isZero();
    }

    private void assertRefcountBug(Runnable r, Page page) {
        BitSet freeBefore = m.alloc.freePfns();
        assertThatThrownBy(r::run)
                .isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("VM_BUG_ON_PAGE(page_ref_count(page) == 0)")
                .hasMessageContaining(String.format("page:%016x refcount:0", MemMap.structPageAddress(page)))
                .hasMessageContaining("page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
        assertThat(m.alloc.freePfns()).as("nothing else moved").isEqualTo(freeBefore);
        assertThat(m.badPages.reports()).isEmpty();
    }

    @Test
    void aDoubleFreeIsAKernelBugAndLosesNothing() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(p);
        assertRefcountBug(() -> m.alloc.freePage(p), p);
        Page block = m.alloc.allocPages(GFP_KERNEL, 4);
        m.alloc.freePages(block, 4);
        assertRefcountBug(() -> m.alloc.freePages(block, 4), block);
        assertRefcountBug(() -> m.alloc.freePages(MemMap.pageAddress(block), 4), block);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void putPageOnAFreePageIsAKernelBugAndLosesNothing() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        Page q = m.alloc.allocPage(GFP_KERNEL);
        m.refs.putPage(p);
        assertRefcountBug(() -> m.refs.putPage(p), p);
        assertRefcountBug(() -> m.refs.releasePages(List.of(p)), p);
        m.refs.putPage(q);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void getPageOnAFreeOrOverflowingPageIsAKernelBug() {
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.alloc.freePage(p);
        assertThatThrownBy(() -> m.refs.getPage(p))
                .isInstanceOf(KernelBug.class)
                .hasMessageStartingWith("VM_BUG_ON_PAGE(page_ref_zero_or_close_to_overflow(page))");
        assertThat(p.refcount()).isZero();

        Page q = m.alloc.allocPage(GFP_KERNEL);
        q.setRefcount(-5);  // wrapped past INT_MAX
        assertThatThrownBy(() -> m.refs.getPage(q)).isInstanceOf(KernelBug.class);
        q.setRefcount(Integer.MAX_VALUE);
        m.refs.getPage(q);
        assertThat(q.refcount()).as("still far from zero, so allowed").isEqualTo(Integer.MIN_VALUE);
        q.setRefcount(1);
        m.refs.putPage(q);
        assertThat(m.leakedPages()).isZero();
    }
}
