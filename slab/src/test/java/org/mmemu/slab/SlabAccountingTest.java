package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import com.google.inject.multibindings.OptionalBinder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.testing.junit.TestMachine;

/** The accounting seam: where slab calls it, with what, and that it is not called when off. */
class SlabAccountingTest {
    /** Records every call; charges fail for caches named "nomem". */
    static final class Recorder implements SlabAccounting {
        final List<String> calls = new ArrayList<>();
        boolean on = true;

        @Override
        public boolean enabled() {
            return on;
        }

        @Override
        public KmemCache getCache(Cpu cpu, KmemCache s, int gfp) {
            calls.add("getCache " + s.name());
            return s;
        }

        @Override
        public long preAlloc(Cpu cpu, KmemCache s, int gfp) {
            calls.add("preAlloc " + s.name());
            return s.name().equals("nomem") ? CHARGE_FAILED : 0x40;
        }

        @Override
        public boolean postAlloc(Cpu cpu, KmemCache s, long objcg, int gfp, long object, Page slab) {
            calls.add("postAlloc " + s.name() + " objcg=" + objcg + (object == 0 ? " failed" : ""));
            return !s.name().equals("late");
        }

        @Override
        public void free(Cpu cpu, KmemCache s, Page slab, long object) {
            calls.add("free " + s.name() + (slab.mapping() == s.address() ? " on its slab" : " elsewhere"));
        }

        @Override
        public boolean chargeSlabPage(KmemCache s, Page slab, int gfp) {
            calls.add("chargeSlabPage " + s.name());
            return true;
        }

        @Override
        public void unchargeSlabPage(KmemCache s, Page slab) {
            calls.add("unchargeSlabPage " + s.name());
        }
    }

    private static TestMachine boot(Recorder recorder) {
        return TestMachine.boot(MemoryConfig.of("64M"), new SlabModule(),
                binder -> OptionalBinder.newOptionalBinder(binder, SlabAccounting.class).setBinding().toInstance(recorder));
    }

    /**
     * One object of a new cache named {@code name} with {@code flags}, allocated with
     * {@code gfp} and kfree'd, the cache then destroyed, makes exactly the calls {@code expected}.
     */
    private static void oneObjectMakes(String name, int flags, int gfp, String... expected) {
        Recorder r = new Recorder();
        TestMachine m = boot(r);
        SlabCaches caches = m.get(SlabCaches.class);
        KmemCache s = caches.kmemCacheCreate(name, 64, 0, flags);
        m.get(Kmalloc.class).kfree(m.get(Slub.class).kmemCacheAlloc(s, gfp));
        caches.kmemCacheDestroy(s);
        assertThat(r.calls).containsExactly(expected);
        m.verify();
    }

    @Test
    void theHooksRunAroundAnAllocationAndItsFree() {
        oneObjectMakes("acct", SlabFlags.SLAB_ACCOUNT, GFP_KERNEL_ACCOUNT, "getCache acct", "preAlloc acct",
                "chargeSlabPage acct", "postAlloc acct objcg=64", "free acct on its slab", "unchargeSlabPage acct");
    }

    /** Neither __GFP_ACCOUNT nor SLAB_ACCOUNT: {@code memcg_slab_free_hook} still looks. */
    @Test
    void anUnaccountedAllocationSkipsTheAllocationHooksButNotTheFreeHook() {
        oneObjectMakes("plain", 0, GFP_KERNEL, "chargeSlabPage plain", "free plain on its slab", "unchargeSlabPage plain");
    }

    @Test
    void aFailedChargeFailsTheAllocation() {
        Recorder r = new Recorder();
        TestMachine m = boot(r);
        KmemCache s = m.get(SlabCaches.class).kmemCacheCreate("nomem", 64, 0, SlabFlags.SLAB_ACCOUNT);
        assertThat(m.get(Slub.class).kmemCacheAlloc(s, GFP_KERNEL)).isZero();
        assertThat(r.calls).containsExactly("getCache nomem", "preAlloc nomem");
        m.verify();
    }

    @Test
    void aFailedPostAllocFreesTheObjectAndFailsTheAllocation() {
        Recorder r = new Recorder();
        TestMachine m = boot(r);
        SlabCaches caches = m.get(SlabCaches.class);
        KmemCache s = caches.kmemCacheCreate("late", 64, 0, SlabFlags.SLAB_ACCOUNT);
        assertThat(m.get(Slub.class).kmemCacheAlloc(s, GFP_KERNEL)).isZero();
        caches.kmemCacheDestroy(s);
        assertThat(r.calls).as("the object went back: the cache is destroyed empty")
                .containsExactly("getCache late", "preAlloc late", "chargeSlabPage late",
                        "postAlloc late objcg=64", "unchargeSlabPage late");
        m.verify();
    }

    @Test
    void offItIsNeverCalled() {
        Recorder r = new Recorder();
        r.on = false;
        TestMachine m = boot(r);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT);
        assertThat(MemMap.pageAddress(m.memMap().virtToPage(x))).isNotZero();
        kmalloc.kfree(x);
        KmemCache s = m.get(SlabCaches.class).kmemCacheCreate("c", 64, 0, 0);
        m.get(Slub.class).kmemCacheFree(s, m.get(Slub.class).kmemCacheAlloc(s, GFP_KERNEL));
        m.get(SlabCaches.class).kmemCacheDestroy(s);
        assertThat(r.calls).isEmpty();
        m.verify();
    }
}
