package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;

/**
 * The hook points of the generic paths, with Mockito stand-ins for the memcg module: called
 * only while their static key is on, with the page, gfp and order; an allocation hook can fail
 * the allocation; the free hook runs before the free checks; the release hook runs for
 * put_page and release_pages but not for __free_pages.
 */
class PageHooksTest {
    private final PageAllocHook allocHook = mock(PageAllocHook.class);
    private final PageFreeHook freeHook = mock(PageFreeHook.class);
    private final PageReleaseHook releaseHook = mock(PageReleaseHook.class);
    private final Machine m = Machine.boot(b -> {
        PageHooks.allocHooks(b).add(allocHook);
        PageHooks.freeHooks(b).add(freeHook);
        PageHooks.releaseHooks(b).add(releaseHook);
    });

    @Test
    void hooksAreNeverCalledWhileTheirKeysAreOff() {
        Page a = m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
        Page b = m.alloc.allocPages(GFP_KERNEL_ACCOUNT | __GFP_COMP, 2);
        Page c = m.alloc.allocPage(GFP_KERNEL_ACCOUNT);
        m.refs.putPage(a);
        m.refs.releasePages(List.of(b, c));
        verifyNoInteractions(allocHook, freeHook, releaseHook);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void theAllocHookSeesPageGfpAndOrder() {
        when(allocHook.postAlloc(any(), any(), anyInt(), anyInt())).thenReturn(true);
        m.hooks.allocKey().inc();
        Page p = m.alloc.allocPages(GFP_KERNEL_ACCOUNT | __GFP_COMP, 3);
        verify(allocHook).postAlloc(any(), eq(p), eq(GFP_KERNEL_ACCOUNT | __GFP_COMP), eq(3));
        assertThat(p.refcount()).as("called on the prepared page").isEqualTo(1);

        m.hooks.allocKey().dec();
        Page q = m.alloc.allocPage(GFP_KERNEL);
        verify(allocHook, never()).postAlloc(any(), eq(q), anyInt(), anyInt());
        m.alloc.freePages(p, 3);
        m.alloc.freePage(q);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void anAllocHookThatFailsMakesTheAllocationReturnNullAndThePageFree() {
        when(allocHook.postAlloc(any(), any(), anyInt(), anyInt())).thenReturn(false);
        m.hooks.allocKey().inc();
        m.hooks.freeKey().inc();
        Page p = m.alloc.allocPages(GFP_KERNEL_ACCOUNT, 2);
        assertThat(p).isNull();
        ArgumentCaptor<Page> offered = ArgumentCaptor.forClass(Page.class);
        verify(allocHook).postAlloc(any(), offered.capture(), eq(GFP_KERNEL_ACCOUNT), eq(2));
        Page refused = offered.getValue();
        // Given back through __free_pages, so the free hook saw it too.
        verify(freeHook).freePagesPrepare(any(), eq(refused), eq(2));
        assertThat(m.alloc.freePfns().get((int) refused.pfn(), (int) refused.pfn() + 4).cardinality()).isEqualTo(4);
        assertThat(m.alloc.nrFreePages() + m.alloc.nrPcpPages()).isEqualTo(16384);
        assertThat(m.log.lines()).as("a refused charge is no allocation failure warning").isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void theFreeHookRunsBeforeTheFreeChecks() {
        m.hooks.freeKey().inc();
        doAnswer(inv -> {
            inv.<Page>getArgument(1).setMemcgData(0);  // the uncharge
            return null;
        }).when(freeHook).freePagesPrepare(any(), any(), anyInt());
        Page p = m.alloc.allocPage(GFP_KERNEL);
        p.setMemcgData(0xffff8f0000000040L | 1);
        m.alloc.freePage(p);
        verify(freeHook).freePagesPrepare(any(), eq(p), eq(0));
        assertThat(m.badPages.reports()).as("uncharged before free_pages_check").isEmpty();

        m.hooks.freeKey().dec();
        Page q = m.alloc.allocPage(GFP_KERNEL);
        q.setMemcgData(0xffff8f0000000040L | 1);
        m.alloc.freePage(q);
        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("page still charged to cgroup"));
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aFreeHookThatTakesAReferenceGetsNonzeroRefcountReported() {
        m.hooks.freeKey().inc();
        doAnswer(inv -> {
            inv.<Page>getArgument(1).refInc();
            return null;
        }).when(freeHook).freePagesPrepare(any(), any(), anyInt());
        Page p = m.alloc.allocPage(GFP_KERNEL);
        m.refs.putPage(p);
        assertThat(m.badPages.reports()).singleElement()
                .satisfies(r -> assertThat(r.reason()).isEqualTo("nonzero _refcount"));
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void theFreeHookGetsTheHeadAndOrderOfACompoundPage() {
        m.hooks.freeKey().inc();
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 4);
        m.refs.putPage(m.memMap.page((int) head.pfn() + 9));
        verify(freeHook).freePagesPrepare(any(), eq(head), eq(4));
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void theReleaseHookRunsForPutPageAndReleasePagesButNotFreePages() {
        m.hooks.releaseKey().inc();
        Page a = m.alloc.allocPage(GFP_KERNEL);
        Page b = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 2);
        Page c = m.alloc.allocPage(GFP_KERNEL);
        Page d = m.alloc.allocPage(GFP_KERNEL);
        m.refs.getPage(a);
        m.refs.putPage(a);
        verifyNoInteractions(releaseHook);
        m.refs.putPage(a);
        verify(releaseHook).release(a);

        m.refs.releasePages(List.of(m.memMap.page((int) b.pfn() + 1), c));
        verify(releaseHook).release(b);
        verify(releaseHook).release(c);

        m.alloc.freePage(d);
        verify(releaseHook, never()).release(d);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void releasePagesReleasesTheWholeBatchBeforeFreeingIt() {
        m.hooks.releaseKey().inc();
        m.hooks.freeKey().inc();
        Page a = m.alloc.allocPage(GFP_KERNEL);
        Page b = m.alloc.allocPage(GFP_KERNEL);
        m.refs.releasePages(List.of(a, b));
        // mem_cgroup_uncharge_list, then free_unref_page_list.
        InOrder order = inOrder(releaseHook, freeHook);
        order.verify(releaseHook).release(a);
        order.verify(releaseHook).release(b);
        order.verify(freeHook).freePagesPrepare(any(), eq(a), eq(0));
        order.verify(freeHook).freePagesPrepare(any(), eq(b), eq(0));
        assertThat(m.leakedPages()).isZero();
    }
}
