package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.GFP_NOWAIT;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_RECLAIMABLE;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.KernelBug;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.AllocatedBytes;
import org.mmemu.core.testing.Seeded;
import org.mmemu.memcg.fs.CgroupFs;
import org.mmemu.memcg.stat.MemcgStatItem;

/** memcg's slab hooks in each obj_cgroup era, driven by {@link FakeSlab} as SLUB will drive them. */
class ObjCgSlabHooksTest {
    private static final FakeSlab.Cache ACCOUNTED = new FakeSlab.Cache(64, true, false);
    private static final FakeSlab.Cache RECLAIMABLE = new FakeSlab.Cache(192, true, true);
    private static final FakeSlab.Cache PLAIN = new FakeSlab.Cache(64, false, false);

    private MemcgMachine m;
    private TestEra era;
    private FakeSlab slab;
    private MemcgSlabHooks hooks;
    private MemCgroup job;
    private TaskStruct writer;
    private final ObjCgroup[] objcgp = new ObjCgroup[1];
    private final long[] p = new long[1];

    private void boot(TestEra era, Module... extra) {
        List<Module> modules = new ArrayList<>(List.of(extra));
        modules.add(FakeSlab.MODULE);
        m = era.boot(modules.toArray(new Module[0]));
        this.era = era;
        slab = m.injector.getInstance(FakeSlab.class);
        hooks = m.injector.getInstance(MemcgSlabHooks.class);
        job = m.cgroups.mkdir("/job");
        writer = m.userTask("writer", job);
    }

    /**
     * One object allocated by {@code task} as slab_alloc_node does: pre hook, object, post hook
     * (the latest era's one-object post hook, which SLUB calls there; the bulk test takes the
     * array one).
     */
    private long alloc(TaskStruct task, FakeSlab.Cache cache, Page page, int index, int gfp) {
        try (Tasks.TaskScope s = m.tasks.enter(task)) {
            Cpu cpu = m.cpus.current();
            if (!hooks.preAllocHook(cpu, cache, objcgp, 1, gfp)) {
                return 0;
            }
            long object = cache.object(page, index);
            if (era == TestEra.LATEST) {
                return hooks.postAllocHook(cpu, cache, gfp, page, object) ? object : 0;
            }
            p[0] = object;
            return hooks.postAllocHook(cpu, cache, objcgp[0], gfp, 1, p) ? p[0] : 0;
        }
    }

    private void free(TaskStruct task, FakeSlab.Cache cache, Page page, long address) {
        try (Tasks.TaskScope s = m.tasks.enter(task)) {
            hooks.freeHook(m.cpus.current(), cache, page, address);
        }
    }

    /**
     * The slab bytes counted for {@code memcg}: its counters and, from 5.14, what the CPUs' obj
     * stocks cache for it and have not flushed yet.
     */
    private long slabStat(MemCgroup memcg, FakeSlab.Cache cache) {
        MemcgStatItem item = MemcgSlabHooks.vmstatItem(cache);
        return memcg.stats().local(item) + m.stock.stockedSlabStatOf(memcg, item);
    }

    /** What {@code memory.stat} of {@code /job} shows for {@code key}. */
    private long jobStat(String key) {
        return m.injector.getInstance(CgroupFs.class).stat("/job", key);
    }

    /** Nothing of an ACCOUNTED object counted in /job, its whole charge back in cpu0's byte stock. */
    private void assertGivenBack(String why) {
        assertThat(slabStat(job, ACCOUNTED)).isZero();
        assertThat(m.stock.stockedBytes(0)).as(why).isEqualTo(4096);
    }

    private void finish(Page... pages) {
        for (Page p : pages) {
            slab.freeSlab(p);
        }
        m.tree.exit(writer);
        for (MemCgroup c : m.tree.root().children()) {
            m.cgroups.rmdir(c);
        }
        m.assertNoLeaks();
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anAccountedObjectIsChargedItsFullSizeAndUnchargedWhoeverFreesIt(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 3, GFP_KERNEL);

        ObjCgroupVector vector = m.injector.getInstance(ObjCgroupVectors.class).pageObjCgroups(page);
        assertThat(vector.objects()).isEqualTo(64);
        assertThat(vector.get(3)).isSameAs(job.objcg());
        assertThat(slabStat(job, ACCOUNTED)).as("obj_full_size: 64 + 8").isEqualTo(72);
        assertThat(job.memory().read()).as("one page at the counters, the rest in the byte stock")
                .isEqualTo(1 + m.stock.stockedPagesOf(job));
        assertThat(m.stock.stockedBytes(0)).isEqualTo(4096 - 72);
        assertThat(m.checks.run()).as("the live object's bytes are attributable").isEmpty();

        free(m.init, ACCOUNTED, page, obj);
        assertThat(vector.get(3)).isNull();
        assertGivenBack("the bytes went back to the freeing CPU's stock");
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void memoryStatShowsTheSlabBytesSplitByReclaimability(TestEra era) {
        boot(era);
        Page a = slab.newSlab(ACCOUNTED);
        Page b = slab.newSlab(RECLAIMABLE);
        long x = alloc(writer, ACCOUNTED, a, 0, GFP_KERNEL);
        long y = alloc(writer, RECLAIMABLE, b, 0, GFP_KERNEL);
        long z = alloc(writer, RECLAIMABLE, b, 1, GFP_KERNEL);

        // The latest era's obj stock still caches the statistics, and reading memory.stat does
        // not flush it (6.13's memcg_stat_format flushes rstat only): the keys lag until a drain.
        if (era == TestEra.LATEST) {
            m.stock.drainAll(m.tree.root());
        }
        String stat = m.injector.getInstance(CgroupFs.class).read("/job/memory.stat");
        assertThat(stat).contains("\nslab_reclaimable 400\n").contains("\nslab_unreclaimable 72\n")
                .contains("\nslab 472\n");
        free(writer, ACCOUNTED, a, x);
        free(writer, RECLAIMABLE, b, y);
        free(writer, RECLAIMABLE, b, z);
        finish(a, b);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11"})
    void until511TheSlabStatisticIsWrittenAtOnce(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL);
        MemcgStatItem item = MemcgSlabHooks.vmstatItem(ACCOUNTED);

        assertThat(m.stock.stockedSlabStat(0, item)).isZero();
        assertThat(job.stats().local(item)).isEqualTo(ACCOUNTED.objFullSize());
        assertThat(jobStat("slab_unreclaimable")).isEqualTo(ACCOUNTED.objFullSize());
        free(writer, ACCOUNTED, page, obj);
        assertThat(jobStat("slab_unreclaimable")).isZero();
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = "LATEST")
    void inTheLatestEraTheSlabStatisticWaitsInTheObjStockUntilADrain(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL);
        MemcgStatItem item = MemcgSlabHooks.vmstatItem(ACCOUNTED);
        int size = ACCOUNTED.objFullSize();

        assertThat(m.stock.stockedSlabStat(0, item)).isEqualTo(size);
        assertThat(job.stats().local(item)).isZero();
        assertThat(jobStat("slab_unreclaimable")).as("reading memory.stat flushes no obj stock").isZero();
        m.stock.drainAll(m.tree.root());
        assertThat(m.stock.stockedSlabStat(0, item)).isZero();
        assertThat(jobStat("slab_unreclaimable")).as("drain_obj_stock flushes the statistics").isEqualTo(size);

        free(writer, ACCOUNTED, page, obj);
        assertThat(jobStat("slab_unreclaimable")).as("the free waits in the stock too").isEqualTo(size);
        assertThat(slabStat(job, ACCOUNTED)).isZero();
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = "LATEST")
    void theCachedStatisticIsFlushedOnceItExceedsAPageEitherWay(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        MemcgStatItem item = MemcgSlabHooks.vmstatItem(ACCOUNTED);
        int size = ACCOUNTED.objFullSize();
        int flushedAt = MemMap.PAGE_SIZE / size + 1; // the first object that takes the cache past a page
        for (int i = 0; i < flushedAt - 1; i++) {
            alloc(writer, ACCOUNTED, page, i, GFP_KERNEL);
        }
        assertThat(job.stats().local(item)).as("up to a page waits in the stock").isZero();
        assertThat(m.stock.stockedSlabStat(0, item)).isEqualTo((flushedAt - 1) * size);

        alloc(writer, ACCOUNTED, page, flushedAt - 1, GFP_KERNEL);
        assertThat(job.stats().local(item)).as("all of it flushed").isEqualTo((long) flushedAt * size);
        assertThat(m.stock.stockedSlabStat(0, item)).isZero();

        for (int i = 0; i < flushedAt - 1; i++) {
            free(writer, ACCOUNTED, page, ACCOUNTED.object(page, i));
        }
        assertThat(job.stats().local(item)).as("frees wait likewise").isEqualTo((long) flushedAt * size);
        assertThat(m.stock.stockedSlabStat(0, item)).isEqualTo(-(flushedAt - 1) * size);
        free(writer, ACCOUNTED, page, ACCOUNTED.object(page, flushedAt - 1));
        assertThat(job.stats().local(item)).isZero();
        assertThat(m.stock.stockedSlabStat(0, item)).isZero();
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = "LATEST")
    void anObjStockMovingToAnotherObjcgFlushesTheOldOnesStatistics(TestEra era) {
        boot(era);
        TaskStruct stranger = m.userTask("stranger", m.cgroups.mkdir("/other"));
        Page page = slab.newSlab(RECLAIMABLE);
        MemcgStatItem item = MemcgSlabHooks.vmstatItem(RECLAIMABLE);
        long mine = alloc(writer, RECLAIMABLE, page, 0, GFP_KERNEL);
        assertThat(job.stats().local(item)).isZero();

        long theirs = alloc(stranger, RECLAIMABLE, page, 1, GFP_KERNEL);
        assertThat(job.stats().local(item)).as("flushed to /job when the stock took /other's objcg")
                .isEqualTo(RECLAIMABLE.objFullSize());
        assertThat(m.stock.cachedObjcg(0).memcg().path()).isEqualTo("/other");
        assertThat(m.stock.stockedSlabStat(0, item)).isEqualTo(RECLAIMABLE.objFullSize());

        free(stranger, RECLAIMABLE, page, theirs);
        free(writer, RECLAIMABLE, page, mine);
        assertThat(m.stock.cachedObjcg(0)).isSameAs(job.objcg());
        assertThat(slabStat(job, RECLAIMABLE)).isZero();
        m.tree.exit(stranger);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void onlyAccountedCachesOrGfpAccountAreChargedAndNeverForKernelThreads(TestEra era) {
        boot(era);
        Page page = slab.newSlab(PLAIN);
        TaskStruct kthread = m.tasks.createKthread("kworker");
        long plain = alloc(writer, PLAIN, page, 0, GFP_KERNEL);
        assertThat(page.memcgData()).as("no accounted object, no vector").isZero();
        long byKthread = alloc(kthread, PLAIN, page, 1, GFP_KERNEL_ACCOUNT);
        assertThat(page.memcgData()).isZero();

        long accounted = alloc(writer, PLAIN, page, 2, GFP_KERNEL_ACCOUNT);
        assertThat(slabStat(job, PLAIN)).isEqualTo(72);
        free(writer, PLAIN, page, plain);
        free(writer, PLAIN, page, byKthread);
        free(writer, PLAIN, page, accounted);
        assertThat(slabStat(job, PLAIN)).isZero();
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void aFailedChargeFailsTheAllocationFrom510AndIsIgnoredIn59(TestEra era) {
        boot(era);
        assertThat(job.memory().setMax(0)).isZero();
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 0, GFP_NOWAIT | __GFP_ACCOUNT);
        if (era == TestEra.V5_9) {
            assertThat(obj).as("5.9 allocates it unaccounted").isNotZero();
            assertThat(page.memcgData()).isZero();
            free(writer, ACCOUNTED, page, obj);
        } else {
            assertThat(obj).as("-ENOMEM").isZero();
        }
        assertThat(job.memory().read()).isZero();
        assertThat(job.objcg().refs()).as("no reference kept").isEqualTo(era == TestEra.LATEST ? 2 : 1);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anObjectOutlivingRmdirUnchargesTheParent(TestEra era) {
        boot(era);
        MemCgroup parent = m.cgroups.mkdir("/parent");
        MemCgroup child = m.cgroups.mkdir(parent, "child");
        assertThat(m.tree.setSubtreeMemory(parent, true)).isZero();
        m.cgroups.attach(writer, child);
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL);
        ObjCgroup objcg = child.objcg();
        m.cgroups.attach(writer, job);
        alloc(writer, ACCOUNTED, page, 1, GFP_KERNEL); // moves the byte stock (and the task's objcg) to /job
        free(writer, ACCOUNTED, page, ACCOUNTED.object(page, 1));
        m.cgroups.rmdir(child);

        assertThat(objcg.memcg()).isSameAs(parent);
        assertThat(child.state()).as("an object pins its objcg, not its memcg").isEqualTo(MemCgroup.State.RELEASED);
        assertThat(parent.memory().read()).as("the charge stayed in the hierarchy").isEqualTo(1);

        free(m.init, ACCOUNTED, page, obj);
        m.stock.drainAll(m.tree.root());
        assertThat(parent.memory().read()).as("uncharged from the parent").isZero();
        assertThat(m.objects.isLive(objcg.address())).isFalse();
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void afterAFailedVectorAttachTheObjectIsUnaccounted(TestEra era) {
        boot(era, binder -> MemcgModule.objcgVectorMemory(binder).setBinding().toInstance(FakeSlab.NO_MEMORY));
        Page page = slab.newSlab(ACCOUNTED);

        assertThat(alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL)).as("the allocation succeeds").isNotZero();
        assertThat(page.memcgData()).isZero();
        // 5.9 to 5.11 charged before the attach and gave the bytes back; 6.14 charges after it.
        long heldBytes = (job.memory().read() - m.stock.stockedPagesOf(job)) * MemMap.PAGE_SIZE
                - m.stock.stockedBytes(0);
        assertThat(slabStat(job, ACCOUNTED)).isZero();
        assertThat(heldBytes).as("no byte charged for the object").isZero();
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void theVectorIsAllocatedWithoutTheObjectsAccountDmaReclaimAndNofailBitsIn6x(TestEra era) {
        int[] vectorGfp = {-1};
        ObjCgroupVectorMemory recording = new ObjCgroupVectorMemory() {
            @Override
            public long kcalloc(int size, int gfp) {
                vectorGfp[0] = gfp;
                return FakeSlab.NO_MEMORY.kcalloc(size, gfp);
            }

            @Override
            public void kfree(long address, int size) {
                FakeSlab.NO_MEMORY.kfree(address, size);
            }
        };
        boot(era, binder -> MemcgModule.objcgVectorMemory(binder).setBinding().toInstance(recording));
        Page page = slab.newSlab(RECLAIMABLE);
        int gfp = GFP_KERNEL_ACCOUNT | __GFP_DMA | __GFP_RECLAIMABLE;

        alloc(writer, RECLAIMABLE, page, 0, gfp);

        boolean v6 = era == TestEra.LATEST;
        assertThat(vectorGfp[0] & __GFP_ACCOUNT).as("never accounted itself").isZero();
        assertThat(vectorGfp[0] & (__GFP_DMA | __GFP_RECLAIMABLE))
                .as("a dma or reclaimable object's vector, from a plain cache only in 6.x")
                .isEqualTo(v6 ? 0 : __GFP_DMA | __GFP_RECLAIMABLE);
        assertThat(vectorGfp[0] & ~(__GFP_DMA | __GFP_RECLAIMABLE)).as("the rest of the caller's gfp")
                .isEqualTo(GFP_KERNEL);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void eachLiveObjectHoldsAReferenceOnItsObjcg(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long a = alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL);
        long base = job.objcg().refs() - 1;
        long b = alloc(writer, ACCOUNTED, page, 1, GFP_KERNEL);
        assertThat(job.objcg().refs()).isEqualTo(base + 2);
        free(writer, ACCOUNTED, page, a);
        free(writer, ACCOUNTED, page, b);
        assertThat(job.objcg().refs()).isEqualTo(base);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void anAllocationAndFreeServedByTheStocksAllocateNothing(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        free(writer, ACCOUNTED, page, alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL)); // the vector
        long address = ACCOUNTED.object(page, 0);
        try (Tasks.TaskScope s = m.tasks.enter(writer)) {
            Cpu cpu = m.cpus.current();
            assertThat(AllocatedBytes.of(() -> {
                hooks.preAllocHook(cpu, ACCOUNTED, objcgp, 1, GFP_KERNEL);
                if (era == TestEra.LATEST) {
                    hooks.postAllocHook(cpu, ACCOUNTED, GFP_KERNEL, page, address);
                } else {
                    p[0] = address;
                    hooks.postAllocHook(cpu, ACCOUNTED, objcgp[0], GFP_KERNEL, 1, p);
                }
                hooks.freeHook(cpu, ACCOUNTED, page, address);
            })).isZero();
        }
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void aBulkAllocationChargesEveryObjectAndGivesBackTheFailedOnesShare(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long[] bulk = {ACCOUNTED.object(page, 0), ACCOUNTED.object(page, 1), ACCOUNTED.object(page, 2)};
        try (Tasks.TaskScope s = m.tasks.enter(writer)) {
            Cpu cpu = m.cpus.current();
            assertThat(hooks.preAllocHook(cpu, ACCOUNTED, objcgp, 3, GFP_KERNEL)).isTrue();
            if (era != TestEra.LATEST) {
                bulk[1] = 0; // 5.9-5.11 accept holes; the latest's bulk allocation fills all or fails
            }
            assertThat(hooks.postAllocHook(cpu, ACCOUNTED, objcgp[0], GFP_KERNEL, 3, bulk)).isTrue();
        }
        long objects = era == TestEra.LATEST ? 3 : 2;
        assertThat(slabStat(job, ACCOUNTED)).isEqualTo(72 * objects);
        assertThat(m.stock.stockedBytes(0)).isEqualTo(4096 - 72 * objects);
        assertThat(job.objcg().refs()).as("one per object, besides the initial one, the byte stock's (and the"
                + " latest's task's)").isEqualTo(objects + (era == TestEra.LATEST ? 3 : 2));
        for (long address : bulk) {
            if (address != 0) {
                free(writer, ACCOUNTED, page, address);
            }
        }
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10"})
    void before511TheFreeHookSkipsAPageWhoseWordIsNotAVector(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        page.setMemcgData(job.address());
        hooks.freeHook(m.cpus.current(), ACCOUNTED, page, ACCOUNTED.object(page, 0));
        page.setMemcgData(0);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_11", "LATEST"})
    void from511TheFreeHookReadsTheVectorThroughTheCheckedHelper(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL_ACCOUNT);
        long vector = page.memcgData();
        page.setMemcgData(job.address());
        try {
            assertThatThrownBy(() -> hooks.freeHook(m.cpus.current(), ACCOUNTED, page, obj))
                    .isInstanceOf(KernelBug.class).hasMessageContaining("MEMCG_DATA_OBJCGS");
        } finally {
            page.setMemcgData(vector);
        }
        free(writer, ACCOUNTED, page, obj);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_8", "V4_18"})
    void beforeTheObjcgEraTheHooksChargeNothing(TestEra era) {
        boot(era);
        Page page = slab.newSlab(ACCOUNTED);
        long obj = alloc(writer, ACCOUNTED, page, 0, GFP_KERNEL_ACCOUNT);
        assertThat(objcgp[0]).isNull();
        assertThat(page.memcgData()).isZero();
        assertThat(job.memory().read()).isZero();
        free(writer, ACCOUNTED, page, obj);
        finish(page);
    }

    @ParameterizedTest
    @EnumSource(names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void randomAllocationsAndFreesByTasksOfSeveralCgroupsStayAttributable(TestEra era) {
        for (long seed = 1; seed <= 3; seed++) {
            Seeded.run(0x51abL * seed, rnd -> randomRun(era, rnd));
        }
    }

    private void randomRun(TestEra era, SplittableRandom rnd) {
        boot(era);
        MemCgroup other = m.cgroups.mkdir("/other");
        List<TaskStruct> tasks = List.of(writer, m.userTask("other", other),
                m.tasks.create("rooted", new MmStruct()));
        FakeSlab.Cache[] caches = {ACCOUNTED, RECLAIMABLE, PLAIN};
        List<Page> pages = new ArrayList<>();
        List<int[]> live = new ArrayList<>(); // {cache (and its page), object index}
        for (FakeSlab.Cache c : caches) {
            pages.add(slab.newSlab(c));
        }
        for (int op = 0; op < 400; op++) {
            if (live.isEmpty() || rnd.nextInt(3) > 0) {
                int c = rnd.nextInt(caches.length);
                int index = rnd.nextInt(caches[c].objects(pages.get(c)));
                boolean taken = live.stream().anyMatch(o -> o[0] == c && o[1] == index);
                int gfp = rnd.nextBoolean() ? GFP_KERNEL : GFP_KERNEL_ACCOUNT;
                if (!taken && alloc(tasks.get(rnd.nextInt(tasks.size())), caches[c], pages.get(c), index, gfp) != 0) {
                    live.add(new int[] {c, index});
                }
            } else {
                int[] o = live.remove(rnd.nextInt(live.size()));
                Page p = pages.get(o[0]);
                free(tasks.get(rnd.nextInt(tasks.size())), caches[o[0]], p, caches[o[0]].object(p, o[1]));
            }
            if (op % 100 == 99) {
                assertThat(m.checks.run()).as("consistency checks at op %d", op).isEmpty();
            }
        }
        for (int[] o : live) {
            Page p = pages.get(o[0]);
            free(m.init, caches[o[0]], p, caches[o[0]].object(p, o[1]));
        }
        for (MemCgroup g : List.of(job, other)) {
            for (FakeSlab.Cache c : caches) {
                assertThat(slabStat(g, c)).as("%s of %s", MemcgSlabHooks.vmstatItem(c), g).isZero();
            }
        }
        for (TaskStruct t : tasks) {
            m.tree.exit(t);
        }
        finish(pages.toArray(new Page[0]));
    }
}
