package org.mmemu.bench;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import java.util.concurrent.TimeUnit;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.memcg.CurrentMemcg;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroups;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
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
 * Target 3's floor (informational): the steps the latest and the 5.11 designs' accounting take
 * per accounted order-0 pair, each alone in its own loop, so their cost can be set against what
 * 0.5× of the mm-core pair leaves for accounting ({@link Targets} adds them up). Every step is
 * one the kernel takes too ({@code __memcg_kmem_charge_page} and
 * {@code __memcg_kmem_uncharge_page} of 6.x and of 5.11):
 *
 * <pre>
 *  benchmark                kernel step                                             per pair
 *                                                                                   6.x  5.11
 *  currentObjcg             current_obj_cgroup                                       1    -
 *  getMemCgroupFromObjcg    get_mem_cgroup_from_objcg + css_put                      2    -
 *  getMemCgroupFromCurrent  get_mem_cgroup_from_current + css_put                    -    1
 *  stockChargeUncharge      consume_stock + refill_stock, mod_memcg_state(MEMCG_KMEM) 1    1
 *  objcgGetPut              obj_cgroup_get + obj_cgroup_put                          1    -
 *  memcgDataDecode          __folio_objcg: the obj_cgroup memcg_data names           1    -
 *  memcgDecode              page_memcg: the mem_cgroup memcg_data names              -    1
 *  accountingAlone          the whole charge + uncharge through the kmem.Objcg policy, on one page
 *  baseline                 nothing: JMH's own cost per operation, subtracted from each step
 * </pre>
 *
 * <p>The machine is the latest one; the 5.11 steps run the same code there as in a 5.11 machine.
 *
 * <p>The alloc/free hook dispatch comes from {@link PageAllocBenchmark} ({@code unaccounted}
 * against {@code mmcore}).
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
public class KmemStepsBenchmark {
    private BenchMachine m;
    private BenchMachine.ThreadContext context;
    private Cpu cpu;
    private KmemAccountingPolicy policy;
    private MemcgCharger charger;
    private MemcgData data;
    private ObjCgroups objcgs;
    private MemCgroup leaf;
    private ObjCgroup objcg;
    private long objcgAddress;
    private long leafAddress;
    private CurrentMemcg current;
    /** The page {@code accountingAlone} charges and uncharges, allocated unaccounted. */
    private Page page;

    @Setup(Level.Trial)
    public void boot() {
        KmemDesign latest = KmemDesign.OBJCG;
        m = BenchMachine.memcg(1, latest.config, latest.kmemPolicy, latest.pageTypeEncoding);
        context = m.enterThread();
        m.expectCharged(GFP_KERNEL_ACCOUNT, true);
        cpu = m.cpus.current();
        policy = m.injector.getInstance(KmemAccountingPolicy.class);
        charger = m.injector.getInstance(MemcgCharger.class);
        data = m.injector.getInstance(MemcgData.class);
        objcgs = m.injector.getInstance(ObjCgroups.class);
        leaf = m.leaf();
        objcg = leaf.objcg();
        objcgAddress = objcg.address();
        leafAddress = leaf.address();
        current = m.injector.getInstance(CurrentMemcg.class);
        if (objcgs.currentObjcg(cpu) != objcg) {
            throw new IllegalStateException("the benchmark task should charge " + objcg);
        }
        page = m.alloc.allocPage(GFP_KERNEL);
    }

    /** Between iterations: the page is uncharged again and nothing leaked ({@link BenchMachine#checkQuiescent}). */
    @TearDown(Level.Iteration)
    public void checkNoLeak() {
        if (page.memcgData() != 0) {
            throw new IllegalStateException(page + " is still charged: memcg_data 0x"
                    + Long.toHexString(page.memcgData()));
        }
        m.alloc.freePage(page);
        m.checkQuiescent();
        page = m.alloc.allocPage(GFP_KERNEL);
    }

    @TearDown(Level.Trial)
    public void checkDrained() {
        m.alloc.freePage(page);
        if (context.leave()) {
            m.checkDrained();
        }
    }

    @Benchmark
    public ObjCgroup baseline() {
        return objcg;
    }

    @Benchmark
    public ObjCgroup currentObjcg() {
        return objcgs.currentObjcg(cpu);
    }

    @Benchmark
    public MemCgroup getMemCgroupFromObjcg() {
        MemCgroup memcg = objcg.getMemCgroup(cpu);
        memcg.cssPut(cpu, 1);
        return memcg;
    }

    @Benchmark
    public MemCgroup getMemCgroupFromCurrent() {
        MemCgroup memcg = current.getMemCgroupFromCurrent(cpu);
        memcg.cssPut(cpu, 1);
        return memcg;
    }

    @Benchmark
    public int stockChargeUncharge() {
        int ret = charger.kmemCharge(cpu, leaf, GFP_KERNEL_ACCOUNT, 1);
        charger.kmemUncharge(cpu, leaf, 1);
        return ret;
    }

    @Benchmark
    public ObjCgroup objcgGetPut() {
        objcg.get(cpu);
        objcg.put(cpu);
        return objcg;
    }

    @Benchmark
    public ObjCgroup memcgDataDecode() {
        return data.objcgAt(objcgAddress);
    }

    @Benchmark
    public MemCgroup memcgDecode() {
        return data.memcgAt(leafAddress);
    }

    @Benchmark
    public long accountingAlone() {
        int ret = policy.chargePage(cpu, page, GFP_KERNEL_ACCOUNT, 0);
        long charged = page.memcgData();
        policy.unchargePage(cpu, page, 0);
        return charged + ret;
    }
}
