package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;

class PageAllocatorSmokeTest {
    @Test
    void allocatesAndFreesEveryOrder() {
        Machine m = Machine.boot();
        long free = m.alloc.nrFreePages();
        assertThat(free).isEqualTo(m.memMap.nrPages());
        for (int order = 0; order < Zone.MAX_ORDER; order++) {
            Page p = m.alloc.allocPages(GFP_KERNEL, order);
            assertThat(p).isNotNull();
            assertThat(p.refcount()).isEqualTo(1);
            m.alloc.freePages(p, order);
        }
        m.alloc.drainAllPages();
        assertThat(m.alloc.nrFreePages()).isEqualTo(free);
        assertThat(m.leakedPages()).isZero();
    }
}
