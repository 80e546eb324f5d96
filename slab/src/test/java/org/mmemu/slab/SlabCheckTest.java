package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.junit.TestMachine;

/** The slab consistency check finds what a corrupted slab looks like. */
class SlabCheckTest {
    private final TestMachine m = TestMachine.boot(MemoryConfig.of("64M"), new SlabModule());
    private final SlabCaches caches = m.get(SlabCaches.class);
    private final Slub slub = m.get(Slub.class);

    @Test
    void aDoubleFreeWithoutDebugLeavesAnObjectOnTheListTwice() {
        KmemCache s = caches.kmemCacheCreate("c", 64, 0, 0);
        long x = slub.kmemCacheAlloc(s, GFP_KERNEL);
        slub.kmemCacheFree(s, slub.kmemCacheAlloc(s, GFP_KERNEL));
        slub.kmemCacheFree(s, x);
        slub.kmemCacheFree(s, x);
        assertThat(m.problems()).anySatisfy(p -> assertThat(p).startsWith("slab: c: object 0x")
                .contains("is on a free list twice (its CPU's free list)"));
    }

    @Test
    void countersThatDisagreeWithTheFreeListAreReported() {
        KmemCache s = caches.kmemCacheCreate("c", 64, 0, 0);
        long x = slub.kmemCacheAlloc(s, GFP_KERNEL);
        Page page = m.memMap().virtToPage(x);
        SlabPageLayout layout = m.get(SlabPageLayout.class);
        layout.setCounters(page, MapcountWord.slubCounters(3, s.objects(), true));
        assertThat(m.problems()).anySatisfy(p -> assertThat(p).contains("c: inuse=3 but 0 of 64 objects"));
        layout.setCounters(page, MapcountWord.slubCounters(s.objects(), s.objects(), true));
        slub.kmemCacheFree(s, x);
        caches.kmemCacheDestroy(s);
        m.verify();
    }
}
