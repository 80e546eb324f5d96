package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/** Misuse under slub_debug=F, reported as SLUB reports it, with the free lists left intact. */
class SlubDebugTest {
    @RegisterExtension
    static final MachineExtension MACHINE = MachineExtension.builder()
            .modules(new SlabModule(SlabConfig.SLUB_DEBUG)).build();

    @Test
    void aDoubleFreeIsReportedAndNotFreed(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(64, GFP_KERNEL);
        long y = kmalloc.kmalloc(64, GFP_KERNEL);
        kmalloc.kfree(x);
        kmalloc.kfree(x);

        assertThat(m.log().dmesg()).contains(
                "=============================================================================\n"
                        + "BUG kmalloc-64 (Not tainted): Object already free\n",
                String.format("Object 0x%016x @offset=%d fp=", x, x & 0xfff),
                String.format("FIX kmalloc-64: Object at 0x%016x not freed", x));
        assertThat(m.log().isTainted(KernelLog.TAINT_BAD_PAGE)).isTrue();
        assertThat(m.problems()).as("the free list is not corrupted").isEmpty();
        long a = kmalloc.kmalloc(64, GFP_KERNEL);
        long b = kmalloc.kmalloc(64, GFP_KERNEL);
        assertThat(a).isEqualTo(x);
        assertThat(b).as("x is handed out once").isNotEqualTo(x);
        kmalloc.kfree(a);
        kmalloc.kfree(b);
        kmalloc.kfree(y);
    }

    @Test
    void aPointerIntoAnObjectIsAnInvalidObjectPointer(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(128, GFP_KERNEL);
        kmalloc.kfree(x + 8);
        assertThat(m.log().dmesg()).contains(
                String.format("BUG kmalloc-128 (Not tainted): Invalid object pointer 0x%016x", x + 8),
                "Slab 0x", "objects=32 used=1 fp=",
                String.format("FIX kmalloc-128: Object at 0x%016x not freed", x + 8));
        kmalloc.kfree(x);
    }

    @Test
    void aSecondReportShowsTheTaint(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(32, GFP_KERNEL);
        kmalloc.kfree(x);
        kmalloc.kfree(x);
        kmalloc.kfree(x);
        assertThat(m.log().dmesg()).contains("BUG kmalloc-32 (Tainted: G    B            ): Object already free");
    }

    @Test
    void freeingToTheWrongCacheWarnsAndFreesToTheRightOne(TestMachine m) {
        SlabCaches caches = m.get(SlabCaches.class);
        Slub slub = m.get(Slub.class);
        KmemCache a = caches.kmemCacheCreate("cache_a", 64, 0, 0);
        KmemCache b = caches.kmemCacheCreate("cache_b", 64, 0, 0);
        long x = slub.kmemCacheAlloc(a, GFP_KERNEL);
        slub.kmemCacheFree(b, x);
        assertThat(m.log().dmesg()).contains("cache_from_obj: Wrong slab cache. cache_b but object is from cache_a",
                "WARNING: CPU: ");
        caches.kmemCacheDestroy(a);
        caches.kmemCacheDestroy(b);
        assertThat(m.log().contains("still has objects")).as("x went back to cache_a").isFalse();
    }

    @Test
    void anAddressOnNoSlabPageIsNotFreed(TestMachine m) {
        KmemCache s = m.get(SlabCaches.class).kmemCacheCreate("c", 64, 0, 0);
        long page = m.alloc().getFreePages(GFP_KERNEL, 0);
        m.get(Slub.class).kmemCacheFree(s, page);
        assertThat(m.log().dmesg()).contains("virt_to_cache: Object is not a Slab page!");
        m.alloc().freePages(page, 0);
        m.get(SlabCaches.class).kmemCacheDestroy(s);
    }
}
