package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.Test;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemcgData;

/** The README's five-minute tour, step 2, and the claims it makes about other eras. */
class ReadmeTourTest {
    /** The tour's snippet, run in {@code era}; returns the charged page's words before the free. */
    private static long[] chargeOnePage(Era era) {
        long[] words;
        try (Kernel k = Kernel.boot(era, KernelConfig.memory("64M"))) {   // close() checks it all
            k.cgroupfs().mkdir("/job");
            Task t = k.spawn("/job");
            Page p;
            try (var running = k.enter(t)) {
                p = k.get(PageAllocator.class).allocPage(GFP_KERNEL_ACCOUNT);   // charged to /job
            }
            words = new long[] {p.mapcountWord(), p.memcgData()};
            k.get(PageRefs.class).putPage(p);
            assertThat(k.cgroupfs().read("/job/memory.stat")).startsWith("anon ");
        }
        return words;
    }

    @Test
    void in48TheChargedPageIsTypedKmemcgInMapcount() {
        long[] words = chargeOnePage(Era.V4_8);
        assertThat(words[0]).isEqualTo(-512);
        assertThat(words[1] & MemcgData.MEMCG_DATA_KMEM).isZero();
    }

    @Test
    void in511TheMapcountStaysUntypedAndMemcgDataCarriesTheKmemBit() {
        long[] words = chargeOnePage(Era.V5_11);
        assertThat(words[0]).isEqualTo(-1);
        assertThat(words[1] & MemcgData.MEMCG_DATA_FLAGS_MASK).isEqualTo(MemcgData.MEMCG_DATA_KMEM);
    }

    @Test
    void in47TheGenericPathChargesNothing() {
        // Only alloc_kmem_pages charges in 4.7; Story1HelperEraTest shows its leaks.
        long[] words = chargeOnePage(Era.V4_7);
        assertThat(words[0]).isEqualTo(-1);
        assertThat(words[1]).isZero();
    }
}
