package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/** kmem_cache_create, alloc, free and zalloc on the latest era's layout (the module's defaults). */
class KmemCacheTest {
    @RegisterExtension
    static final MachineExtension MACHINE = MachineExtension.builder().modules(new SlabModule()).build();

    private static SlabCaches caches(TestMachine m) {
        return m.get(SlabCaches.class);
    }

    private static Slub slub(TestMachine m) {
        return m.get(Slub.class);
    }

    @Test
    void objToIndexIsTheDivisionForEveryByteOfTheSlab(TestMachine m) {
        for (int size : new int[] {8, 24, 40, 96, 192, 200, 1000, 4096, 8192, 12345, 65536}) {
            KmemCache s = caches(m).kmemCacheCreate("idx" + size, size, 0, 0);
            long x = slub(m).kmemCacheAlloc(s, GFP_KERNEL);
            Page page = m.memMap().virtToPage(x);
            long start = MemMap.pageAddress(page);
            long bytes = (long) MemMap.PAGE_SIZE << s.order();
            for (long off = 0; off < bytes; off++) {
                assertThat(s.objToIndex(page, start + off)).as("size %d offset %d", s.size(), off)
                        .isEqualTo((int) (off / s.size()));
            }
            slub(m).kmemCacheFree(s, x);
            caches(m).kmemCacheDestroy(s);
        }
    }

    @Test
    void anObjectIsADirectMapAddressOnASlabPageNamingItsCache(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("test_cache", 40, 0, 0);
        long x = slub(m).kmemCacheAlloc(s, GFP_KERNEL);

        assertThat(x).isNotZero();
        Page page = m.memMap().virtToPage(x);
        assertThat(page.mapping()).as("page->slab_cache").isEqualTo(s.address());
        assertThat(caches(m).cacheOf(page)).isSameAs(s);
        assertThat(m.types().has(page, PageType.SLAB)).as("PGTY_slab in the latest era").isTrue();
        assertThat(page.testFlag(PageFlags.PG_slab)).as("no PG_slab since 6.10").isFalse();
        assertThat((x - MemMap.pageAddress(page)) % s.size()).isZero();
        slub(m).kmemCacheFree(s, x);
        caches(m).kmemCacheDestroy(s);
    }

    @Test
    void theLayoutIsCalculateSizes(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("odd", 20, 0, 0);
        assertThat(s.size()).as("a word multiple").isEqualTo(24);
        assertThat(s.offset()).as("ALIGN(24 / 2, 8)").isEqualTo(16);
        assertThat(s.objects()).isEqualTo(4096 / 24);
        KmemCache aligned = caches(m).kmemCacheCreate("aligned", 20, 0, SlabFlags.SLAB_HWCACHE_ALIGN);
        assertThat(aligned.align()).as("the cache line halved while 20 bytes fit twice").isEqualTo(32);
        assertThat(aligned.size()).isEqualTo(32);
        caches(m).kmemCacheDestroy(s);
        caches(m).kmemCacheDestroy(aligned);
    }

    @Test
    void aSlabPageNeverCarriesTheCallersAccountFlag(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("acct", 64, 0, SlabFlags.SLAB_ACCOUNT);
        long x = slub(m).kmemCacheAlloc(s, GFP_KERNEL_ACCOUNT);
        Page page = m.memMap().virtToPage(x);
        assertThat(page.memcgData()).isZero();
        assertThat(m.types().has(page, PageType.KMEMCG)).isFalse();
        slub(m).kmemCacheFree(s, x);
        caches(m).kmemCacheDestroy(s);
    }

    @Test
    void theFreePointerLivesInsideEachFreeObject(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("fp", 64, 0, 0);
        long a = slub(m).kmemCacheAlloc(s, GFP_KERNEL);
        long b = slub(m).kmemCacheAlloc(s, GFP_KERNEL);
        assertThat(b).as("the next object of a fresh slab").isEqualTo(a + 64);

        slub(m).kmemCacheFree(s, b);
        slub(m).kmemCacheFree(s, a);
        byte[] word = m.kernelMemory().read(a + s.offset(), 8);
        long fp = java.nio.ByteBuffer.wrap(word).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fp).as("a's free pointer names b, freed before it").isEqualTo(b);
        assertThat(slub(m).kmemCacheAlloc(s, GFP_KERNEL)).as("LIFO").isEqualTo(a);
        assertThat(slub(m).kmemCacheAlloc(s, GFP_KERNEL)).isEqualTo(b);
        slub(m).kmemCacheFree(s, a);
        slub(m).kmemCacheFree(s, b);
        caches(m).kmemCacheDestroy(s);
    }

    @Test
    void zallocZeroesWhatTheFreePointerAndEarlierUsersLeft(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("z", 64, 0, 0);
        long x = slub(m).kmemCacheAlloc(s, GFP_KERNEL);
        m.kernelMemory().memset(x, 0x5a, 64);
        slub(m).kmemCacheFree(s, x);
        long y = slub(m).kmemCacheZalloc(s, GFP_KERNEL);
        assertThat(y).isEqualTo(x);
        assertThat(m.kernelMemory().read(y, 64)).containsOnly(0);
        slub(m).kmemCacheFree(s, y);
        caches(m).kmemCacheDestroy(s);
    }

    @Test
    void zallocZeroesAnObjectThatStraddlesTwoFrames(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("straddle", 1000, 0, 0);
        long[] x = new long[5];
        for (int i = 0; i < x.length; i++) {
            x[i] = slub(m).kmemCacheAlloc(s, GFP_KERNEL);
        }
        assertThat(x[4] & 0xfff).as("4000: the object runs into the next frame").isEqualTo(4000);
        m.kernelMemory().memset(x[4], 0x77, 1000);
        slub(m).kmemCacheFree(s, x[4]);
        assertThat(slub(m).kmemCacheZalloc(s, GFP_KERNEL)).isEqualTo(x[4]);
        assertThat(m.kernelMemory().read(x[4], 1000)).containsOnly(0);
        for (long o : x) {
            slub(m).kmemCacheFree(s, o);
        }
        caches(m).kmemCacheDestroy(s);
    }

    @Test
    void aFullSlabLeavesTheCpuAndANewOneIsFrozen(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("full", 1024, 0, 0);
        long[] x = new long[s.objects() + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = slub(m).kmemCacheAlloc(s, GFP_KERNEL);
        }
        Page first = m.memMap().virtToPage(x[0]);
        Page second = m.memMap().virtToPage(x[s.objects()]);
        assertThat(second).isNotSameAs(first);
        SlabPageLayout layout = m.get(SlabPageLayout.class);
        assertThat(MapcountWord.slubFrozen(layout.counters(first))).as("unfrozen when full").isFalse();
        assertThat(MapcountWord.slubInuse(layout.counters(first))).isEqualTo(s.objects());
        assertThat(MapcountWord.slubFrozen(layout.counters(second))).isTrue();
        assertThat(m.problems()).isEmpty();
        for (long o : x) {
            slub(m).kmemCacheFree(s, o);
        }
        caches(m).kmemCacheDestroy(s);
        assertThat(m.isFree(first)).as("destroy frees the empty slabs").isTrue();
        assertThat(m.isFree(second)).isTrue();
    }

    @Test
    void reclaimableAndMultiPageSlabsCarryTheirAllocationFlags(TestMachine m) {
        KmemCache s = caches(m).kmemCacheCreate("dentry", 192, 0, SlabFlags.SLAB_RECLAIM_ACCOUNT);
        assertThat(s.allocflags).isEqualTo(org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE);
        KmemCache big = caches(m).kmemCacheCreate("big", 2048, 0, 0);
        assertThat(big.order()).isPositive();
        assertThat(big.allocflags).as("a compound slab").isEqualTo(org.mmemu.core.page.Gfp.__GFP_COMP);
        long x = slub(m).kmemCacheAlloc(big, GFP_KERNEL);
        assertThat(m.memMap().virtToPage(x).testFlag(PageFlags.PG_head)).isTrue();
        slub(m).kmemCacheFree(big, x);
        caches(m).kmemCacheDestroy(s);
        caches(m).kmemCacheDestroy(big);
    }

    @Test
    void slabPanicOnABadSizePanics(TestMachine m) {
        assertThat(caches(m).kmemCacheCreate("tiny", 4, 0, 0)).isNull();
        assertThat(m.log().contains("kmem_cache_create(tiny) failed with error -22")).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> caches(m).kmemCacheCreate("tiny", 4, 0, SlabFlags.SLAB_PANIC))
                .isInstanceOf(org.mmemu.core.KernelBug.class)
                .hasMessageContaining("kmem_cache_create: Failed to create slab 'tiny'. Error -22");
    }
}
