package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.concurrent.TimeUnit;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.MemcgSlabHooks;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroupVector;
import org.mmemu.memcg.ObjCgroupVectors;
import org.mmemu.memcg.ObjCgroups;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.slab.KmemCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The accounted kmalloc pair's floor (informational): the steps the latest design's slab hooks
 * take per {@code kmalloc(64, GFP_KERNEL_ACCOUNT)} + {@code kfree} that the page pair's steps
 * ({@link KmemStepsBenchmark}) do not already measure, each alone in its own loop, so that
 * {@link Targets} can set their sum against what 0.5× of the unaccounted pair leaves for
 * accounting. Every step is one the kernel takes ({@code __memcg_slab_post_alloc_hook} and
 * {@code __memcg_slab_free_hook} of 6.14):
 *
 * <pre>
 *  benchmark               kernel step                                                per pair
 *  objStockChargeUncharge  obj_cgroup_charge_account + refill_obj_stock, with the       1
 *                          NR_SLAB_UNRECLAIMABLE_B bytes cached in the same stock entry
 *  vectorDecode            slab_obj_exts(slab): the vector memcg_data names             2
 *  objToIndex              obj_to_index                                                 2
 *  hooksAlone              the free hook then the post-alloc hook on one live object: the whole
 *                          accounting of a pair without the allocator
 *  (KmemStepsBenchmark)    current_obj_cgroup 1, obj_cgroup_get + obj_cgroup_put 1, JMH's baseline
 * </pre>
 *
 * <p>The object is a {@code kmalloc-cg-64} object allocated accounted from a task of
 * {@code /bench} ({@link KmallocBenchmark.AccountedMachine}) and kept for the trial; each
 * operation leaves its charge, its slot and the stock as it found them.
 *
 * <p>Two forks, not the ratio benchmarks' three: the figures feed an informational row, not a
 * goal, and the quick profile has 15 minutes for everything.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@Threads(1)
@State(Scope.Benchmark)
public class KmallocStepsBenchmark {
    private final KmallocBenchmark.AccountedMachine m = new KmallocBenchmark.AccountedMachine();
    private MemcgSlabHooks hooks;
    private ObjCgroups objcgs;
    private ObjCgroupVectors vectors;
    private Cpu cpu;
    private KmemCache cache;
    private ObjCgroup objcg;
    /** The live accounted object the steps work on, and its slab page. */
    private long object;
    private Page slab;

    @Setup(Level.Trial)
    public void boot() {
        m.boot();
        hooks = m.injector.getInstance(MemcgSlabHooks.class);
        objcgs = m.injector.getInstance(ObjCgroups.class);
        vectors = m.injector.getInstance(ObjCgroupVectors.class);
        cpu = m.injector.getInstance(Cpus.class).current();
        cache = m.kmalloc.kmallocSlab(64, GFP_KERNEL_ACCOUNT);
        objcg = objcgs.currentObjcg(cpu);
        object = m.kmalloc.kmalloc(64, GFP_KERNEL_ACCOUNT);
        MemMap memMap = m.injector.getInstance(MemMap.class);
        slab = CompoundHead.compoundHead(memMap, memMap.virtToPage(object));
        if (objcg == null || vectorDecode().get(objToIndex()) != objcg) {
            throw new IllegalStateException("the benchmark object should be charged to " + objcg);
        }
    }

    /** The object is freed and every charged byte given back: the machine's consistency checks pass. */
    @TearDown(Level.Trial)
    public void check() {
        m.kmalloc.kfree(object);
        m.check();
    }

    @Benchmark
    public int objStockChargeUncharge() {
        int size = cache.objFullSize();
        int ret = objcgs.chargeAccount(cpu, objcg, GFP_KERNEL_ACCOUNT, size, MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B);
        objcgs.unchargeAccount(cpu, objcg, size, MemcgStatItem.NR_SLAB_UNRECLAIMABLE_B);
        return ret;
    }

    @Benchmark
    public ObjCgroupVector vectorDecode() {
        return vectors.pageObjcgs(cpu, slab);
    }

    @Benchmark
    public int objToIndex() {
        return cache.objToIndex(slab, object);
    }

    @Benchmark
    public boolean hooksAlone() {
        hooks.freeHook(cpu, cache, slab, object);
        return hooks.postAllocHook(cpu, cache, GFP_KERNEL_ACCOUNT, slab, object);
    }
}
