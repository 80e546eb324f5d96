package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/** kmem_cache_destroy of a cache with live objects: reported, and the cache and slabs kept. */
class KmemCacheDestroyTest {
    @RegisterExtension
    static final MachineExtension MACHINE = MachineExtension.builder().modules(new SlabModule()).build();

    @Test
    void objectsRemainingOnAPartialSlabAreListed(TestMachine m) {
        SlabCaches caches = m.get(SlabCaches.class);
        Slub slub = m.get(Slub.class);
        KmemCache s = caches.kmemCacheCreate("dax_cache", 256, 0, 0);
        long a = slub.kmemCacheAlloc(s, GFP_KERNEL);
        long b = slub.kmemCacheAlloc(s, GFP_KERNEL);
        slub.kmemCacheFree(s, a);

        caches.kmemCacheDestroy(s);

        Page page = m.memMap().virtToPage(b);
        assertThat(m.log().dmesg()).contains(
                "BUG dax_cache (Not tainted): Objects remaining in dax_cache on __kmem_cache_shutdown()",
                String.format("objects=%d used=1 fp=0x", s.objects()),
                String.format("Object 0x%016x @offset=%d", b, b & 0xfff),
                "kmem_cache_destroy dax_cache: Slab cache still has objects when called from kmem_cache_destroy",
                "WARNING: CPU: ");
        assertThat(m.log().dmesg()).doesNotContain(String.format("Object 0x%016x @offset=", a));
        assertThat(caches.caches()).as("the cache is kept").contains(s);
        assertThat(caches.cacheOf(page)).isSameAs(s);
        assertThat(m.problems()).isEmpty();

        slub.kmemCacheFree(s, b);
        caches.kmemCacheDestroy(s);
        assertThat(caches.caches()).doesNotContain(s);
        assertThat(m.isFree(page)).isTrue();
    }

    @Test
    void aFullSlabIsOnNoListSoOnlyTheSummaryIsPrinted(TestMachine m) {
        SlabCaches caches = m.get(SlabCaches.class);
        Slub slub = m.get(Slub.class);
        KmemCache s = caches.kmemCacheCreate("full_cache", 2048, 0, 0);
        long[] x = new long[s.objects()];
        for (int i = 0; i < x.length; i++) {
            x[i] = slub.kmemCacheAlloc(s, GFP_KERNEL);
        }
        caches.kmemCacheDestroy(s);
        assertThat(m.log().dmesg()).doesNotContain("Objects remaining")
                .contains("kmem_cache_destroy full_cache: Slab cache still has objects");
        for (long o : x) {
            slub.kmemCacheFree(s, o);
        }
        caches.kmemCacheDestroy(s);
        assertThat(caches.caches()).doesNotContain(s);
    }
}
