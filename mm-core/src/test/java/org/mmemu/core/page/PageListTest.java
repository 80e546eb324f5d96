package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The intrusive list through page->lru. */
class PageListTest {
    private final MemMap memMap = new MemMap(16, pfn -> 0);
    private final PageList list = new PageList(memMap);

    private List<Long> pfns() {
        List<Long> out = new ArrayList<>();
        for (Page p = list.first(); p != null; p = list.next(p)) {
            out.add(p.pfn());
        }
        return out;
    }

    @Test
    void addRemoveAndPollKeepOrderAndCount() {
        assertThat(list.isEmpty()).isTrue();
        assertThat(list.pollFirst()).isNull();
        assertThat(list.pollLast()).isNull();
        list.addTail(memMap.page(1));
        list.addTail(memMap.page(2));
        list.addHead(memMap.page(0));
        list.addTail(memMap.page(3));
        assertThat(pfns()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(list.size()).isEqualTo(4);
        assertThat(list.last().pfn()).isEqualTo(3);

        list.remove(memMap.page(2));
        assertThat(pfns()).containsExactly(0L, 1L, 3L);
        assertThat(memMap.page(2).lruNext()).isEqualTo(Page.NIL_LINK);
        assertThat(memMap.page(2).lruPrev()).isEqualTo(Page.NIL_LINK);
        list.remove(memMap.page(0));
        list.remove(memMap.page(3));
        assertThat(pfns()).containsExactly(1L);
        assertThat(list.first()).isSameAs(list.last());

        assertThat(list.pollLast().pfn()).isEqualTo(1);
        assertThat(list.isEmpty()).isTrue();
        assertThat(list.size()).isZero();
        list.addHead(memMap.page(5));
        assertThat(list.pollFirst().pfn()).isEqualTo(5);
        assertThat(list.first()).isNull();
    }
}
