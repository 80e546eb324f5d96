package org.mmemu.bench;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Injector;
import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.alloc.BadPageReporter;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgData;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.kmem.ObjcgPolicy;
import org.mmemu.memcg.stat.MemcgStatItem;

/**
 * A machine booted for one JMH trial: mm-core alone, or with memcg and a cgroup
 * {@code /bench/a/b} three levels deep whose ancestors enable the memory controller, so a
 * charge walks three page counters below the root. Benchmarks call its parts directly in the
 * measured loop; the checks here run only in setup and teardown.
 */
final class BenchMachine {
    /** Emulated memory: large enough that no benchmark can run it dry. */
    static final String MEMORY = "256M";

    final Injector injector;
    final PageAllocator alloc;
    final Cpus cpus;
    final Tasks tasks;
    private final BadPageReporter badPages;
    private final PageHooks hooks;
    /** With memcg: the charged leaf and its two ancestors, leaf first; else empty. */
    private final List<MemCgroup> levels = new ArrayList<>();
    private final long freeAtBoot;
    /** Benchmark threads that entered and have not left yet. */
    private final AtomicInteger threadsInside = new AtomicInteger();
    /** Whether the benchmark tasks' allocations are charged (every thread's are, or none). */
    private volatile boolean chargesTasks;

    private BenchMachine(Injector injector) {
        this.injector = injector;
        alloc = injector.getInstance(PageAllocator.class);
        cpus = injector.getInstance(Cpus.class);
        tasks = injector.getInstance(Tasks.class);
        badPages = injector.getInstance(BadPageReporter.class);
        hooks = injector.getInstance(PageHooks.class);
        freeAtBoot = alloc.nrFreePages() + alloc.nrPcpPages();
    }

    /** mm-core alone, with one emulated CPU per benchmark thread. */
    static BenchMachine mmCore(int threads) {
        return new BenchMachine(Injectors.strict(new MmCoreModule(memory(threads))));
    }

    /**
     * mm-core with memcg configured as {@code config}, the kmem accounting policy
     * {@code kmemPolicy} and the page-type encoding {@code encoding} (null: the defaults), and
     * the cgroup {@code /bench/a/b}.
     */
    static BenchMachine memcg(int threads, MemcgConfig config, String kmemPolicy, String encoding) {
        List<Module> modules = new ArrayList<>();
        modules.add(new MmCoreModule(memory(threads)));
        modules.add(new MemcgModule(config));
        if (kmemPolicy != null) {
            modules.add(binder -> {
                policyBinder(binder, KmemAccountingPolicy.class).select(kmemPolicy);
                policyBinder(binder, PageTypeEncoding.class).select(encoding);
            });
        }
        BenchMachine m = new BenchMachine(Injectors.strict(modules.toArray(new Module[0])));
        m.mkdirThreeDeep();
        return m;
    }

    /** At least one CPU per JMH thread, so every thread gets its own. */
    private static MemoryConfig memory(int threads) {
        return MemoryConfig.of(MEMORY).withCpus(Math.max(2, threads));
    }

    private void mkdirThreeDeep() {
        Cgroups cgroups = injector.getInstance(Cgroups.class);
        MemCgroup bench = cgroups.mkdir("/bench");
        enableMemoryBelow(cgroups, bench);
        MemCgroup a = cgroups.mkdir("/bench/a");
        enableMemoryBelow(cgroups, a);
        MemCgroup b = cgroups.mkdir("/bench/a/b");
        levels.add(b);
        levels.add(a);
        levels.add(bench);
    }

    private static void enableMemoryBelow(Cgroups cgroups, MemCgroup memcg) {
        if (cgroups.tree().setSubtreeMemory(memcg, true) != 0) {
            throw new IllegalStateException("cannot enable memory below " + memcg);
        }
    }

    /** The cgroup three levels deep that the benchmark tasks are in. */
    MemCgroup leaf() {
        return levels.get(0);
    }

    /** Whether the alloc/free hook points are switched on (kmem accounting online). */
    boolean hooksOn() {
        return hooks.allocKey().isEnabled();
    }

    /**
     * Binds the calling JMH thread to its own emulated CPU and, with memcg, runs a new user task
     * in the leaf cgroup on it until the returned context is closed.
     */
    ThreadContext enterThread() {
        int cpu = cpus.current().id();
        threadsInside.incrementAndGet();
        if (levels.isEmpty()) {
            return new ThreadContext(cpu, null, null);
        }
        Cgroups cgroups = injector.getInstance(Cgroups.class);
        TaskStruct task = tasks.create("bench" + cpu, new MmStruct());
        cgroups.attach(task, leaf());
        return new ThreadContext(cpu, task, tasks.enter(task));
    }

    /** A benchmark thread's CPU binding and task. */
    final class ThreadContext implements AutoCloseable {
        final int cpu;
        private final TaskStruct task;
        private final Tasks.TaskScope scope;

        private ThreadContext(int cpu, TaskStruct task, Tasks.TaskScope scope) {
            this.cpu = cpu;
            this.task = task;
            this.scope = scope;
        }

        @Override
        public void close() {
            leave();
        }

        /**
         * Ends the task and gives the CPU back (running any drain queued for it).
         *
         * @return whether this was the last benchmark thread on the machine: only then can a
         *         drain of every stock finish at once ({@link #checkDrained()})
         */
        boolean leave() {
            if (scope != null) {
                scope.close();
                injector.getInstance(Exit.class).doExit(task);
            }
            cpus.unbind();
            return threadsInside.decrementAndGet() == 0;
        }
    }

    /**
     * Proves on the calling thread that an allocation with {@code gfp} is (or is not) charged
     * to the leaf, so a benchmark measures the path it names.
     */
    void expectCharged(int gfp, boolean charged) {
        chargesTasks = charged;
        Page page = alloc.allocPage(gfp);
        try {
            MemCgroup owner = page.memcgData() == 0 ? null
                    : injector.getInstance(MemcgData.class).pageMemcgCheck(page);
            if (charged ? owner != leaf() : page.memcgData() != 0) {
                throw new IllegalStateException("allocation with gfp 0x" + Integer.toHexString(gfp)
                        + " should " + (charged ? "" : "not ") + "be charged to " + leaf()
                        + ", memcg_data is 0x" + Long.toHexString(page.memcgData()));
            }
        } finally {
            alloc.freePage(page);
        }
    }

    /**
     * The check between iterations, at quiescence: every page is free again (buddy or per-CPU
     * lists), none was reported bad, and the cgroups hold no charge beyond the pre-charged pages
     * parked in the CPUs' stocks.
     */
    void checkQuiescent() {
        long free = alloc.nrFreePages() + alloc.nrPcpPages();
        if (free != freeAtBoot) {
            throw new IllegalStateException((freeAtBoot - free) + " pages not freed");
        }
        if (!badPages.reports().isEmpty()) {
            throw new IllegalStateException("bad pages: " + badPages.reports());
        }
        if (levels.isEmpty()) {
            return;
        }
        long stocked = injector.getInstance(ChargeStock.class).stockedPagesOf(leaf());
        for (MemCgroup m : levels) {
            long usage = m.memory().read();
            if (usage != stocked) {
                throw new IllegalStateException(m + " has " + usage + " pages charged, "
                        + stocked + " in stock");
            }
        }
        long kmem = leaf().stats().local(MemcgStatItem.MEMCG_KMEM);
        if (kmem != 0) {
            throw new IllegalStateException(leaf() + " still counts " + kmem + " kmem pages");
        }
        ObjCgroup objcg = leaf().objcg();
        if (objcg != null && objcg.refs() != 1 + tasksCachingObjcg()) {
            throw new IllegalStateException(objcg + " holds " + objcg.refs() + " references,"
                    + " expected the cgroup's own and one per benchmark task (current->objcg)");
        }
    }

    /**
     * The benchmark tasks that hold a reference on the leaf's objcg in {@code current->objcg}:
     * under the latest design, every live one once they charge.
     */
    private int tasksCachingObjcg() {
        boolean cached = chargesTasks && injector.getInstance(KmemAccountingPolicy.class)
                .policyName().equals(ObjcgPolicy.NAME);
        return cached ? threadsInside.get() : 0;
    }

    /**
     * The end of a trial, once every benchmark thread has left its CPU (so that the drain of
     * every stock is done at once): the stocks drained, nothing may be charged any more.
     */
    void checkDrained() {
        checkQuiescent();
        if (!levels.isEmpty()) {
            injector.getInstance(MemcgCharger.class).stock().drainAll(leaf());
            cpus.unbind();
            for (MemCgroup m : levels) {
                if (m.memory().read() != 0) {
                    throw new IllegalStateException(m + " still charged after draining the stocks");
                }
            }
        }
    }
}
