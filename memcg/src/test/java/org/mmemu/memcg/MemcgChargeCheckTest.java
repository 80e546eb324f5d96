package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Injectors;
import org.mmemu.core.KernelBug;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.Seeded;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * The charge check memcg adds to every machine's consistency checks: it passes in the middle of
 * real work in every era (stocks full, byte charges outstanding, pages mapped nowhere), and it
 * names each kind of inconsistency it exists to catch.
 */
class MemcgChargeCheckTest {
    private final List<MemcgMachine> clean = new ArrayList<>();

    @AfterEach
    void everyMachineEndsConsistent() {
        clean.forEach(MemcgMachine::assertNoLeaks);
    }

    /** A machine that must end the test clean. */
    private MemcgMachine boot(TestEra era, com.google.inject.Module... extra) {
        MemcgMachine m = era.boot(extra);
        clean.add(m);
        return m;
    }

    private static List<String> check(MemcgMachine m) {
        return m.injector.getInstance(MemcgChargeCheck.class).check();
    }

    private static Page allocAs(MemcgMachine m, TaskStruct t, int gfp, int order) {
        try (var s = m.tasks.enter(t)) {
            return m.kmemPages.allocKmemPages(gfp, order);
        }
    }

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void randomKmemWorkKeepsEveryChargeAttributableAtEachStep(TestEra era) {
        MemcgMachine m = boot(era);
        Seeded.run(0x3e3cL + era.ordinal(), rnd -> {
            MemCgroup job = m.cgroups.mkdir("/job");
            MemCgroup a = m.cgroups.mkdir(job, "a");
            MemCgroup b = m.cgroups.mkdir(job, "b");
            m.tree.setSubtreeMemory(job, true);
            List<TaskStruct> tasks = List.of(m.userTask("ta", a), m.userTask("tb", b));
            List<Page> pages = new ArrayList<>();
            List<Integer> orders = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                if (pages.isEmpty() || rnd.nextInt(3) > 0) {
                    int order = rnd.nextInt(6) == 0 ? 2 : 0;
                    Page p = allocAs(m, tasks.get(rnd.nextInt(2)), GFP_KERNEL_ACCOUNT | (order > 0 ? __GFP_COMP : 0),
                            order);
                    pages.add(p);
                    orders.add(order);
                } else {
                    int i = rnd.nextInt(pages.size());
                    freeSomehow(m, rnd, pages.remove(i), orders.remove(i));
                }
                if (step % 50 == 0) {
                    assertThat(check(m)).as("step %d", step).isEmpty();
                }
            }
            assertThat(check(m)).isEmpty();
            for (int i = 0; i < pages.size(); i++) {
                freeSomehow(m, rnd, pages.get(i), orders.get(i));
            }
            tasks.forEach(m.tree::exit);
            m.cgroups.rmdir(a);
            m.cgroups.rmdir(b);
            m.cgroups.rmdir(job);
        });
    }

    /** The free paths the era's designs take: the helper era only frees through its helper. */
    private static void freeSomehow(MemcgMachine m, SplittableRandom rnd, Page page, int order) {
        if (!m.policy.chargesInAllocator()) {
            m.kmemPages.freeKmemPages(page, order);
        } else if (rnd.nextBoolean()) {
            m.refs.putPage(page);
        } else {
            m.alloc.freePages(page, order);
        }
    }

    @Test
    void everyMachineWithMemcgRunsItAmongItsConsistencyChecks() {
        TestMachine tm = TestMachine.boot(MemoryConfig.of("64M"), new MemcgModule());
        assertThat(tm.get(ConsistencyChecks.class).checks()).last().isInstanceOf(MemcgChargeCheck.class);
        MemCgroup job = tm.get(Cgroups.class).mkdir("/job");
        MemcgCharger charger = tm.get(MemcgCharger.class);
        charger.tryCharge(job, GFP_KERNEL, 1);

        assertThat(tm.problems()).anySatisfy(p -> assertThat(p).startsWith("memcg: memory usage of memcg /job"));

        charger.uncharge(job, 1);
        tm.get(Cgroups.class).rmdir(job);
        tm.verify();
    }

    @Test
    void aChargeNoPageCarriesIsReportedUntilAnOwnerDeclaresIt() {
        long[] declared = new long[1];
        MemCgroup[] memcg = new MemCgroup[1];
        MemcgMachine m = boot(TestEra.LATEST, binder -> MemcgModule.chargeOwners(binder).addBinding()
                .toInstance(charges -> {
                    if (declared[0] != 0) {
                        charges.pages(memcg[0], declared[0]);
                    }
                }));
        MemCgroup job = m.cgroups.mkdir("/job");
        memcg[0] = job;
        assertThat(m.charger.tryCharge(job, GFP_KERNEL, 3)).isZero();

        String accounts = " is 64 page(s) but its subtree accounts for 61: 0 carried by pages,"
                + " 61 in per-CPU stocks, 0 behind obj_cgroup byte charges, 0 declared by owners";
        assertThat(check(m)).as("the counter is hierarchical: every level up to the root is short")
                .containsExactly("memory usage of memcg /" + accounts, "memory usage of memcg /job" + accounts);
        declared[0] = 3;
        assertThat(check(m)).isEmpty();

        m.charger.uncharge(job, 3);
        declared[0] = 0;
        m.cgroups.rmdir(job);
    }

    @Test
    void outstandingByteChargesMustBeDeclaredAndAddUpToWholePages() {
        long[] declared = new long[1];
        ObjCgroup[] objcg = new ObjCgroup[1];
        MemcgMachine m = boot(TestEra.LATEST, binder -> MemcgModule.chargeOwners(binder).addBinding()
                .toInstance(charges -> {
                    if (declared[0] != 0) {
                        charges.objcgBytes(objcg[0], declared[0]);
                    }
                }));
        MemCgroup job = m.cgroups.mkdir("/job");
        objcg[0] = job.objcg();
        m.objcgs.charge(objcg[0], GFP_KERNEL, 100);

        assertThat(check(m)).anySatisfy(p -> assertThat(p).startsWith(objcg[0] + " holds 3996 charged byte(s)"));
        declared[0] = 100;
        assertThat(check(m)).as("100 object bytes + 3996 in the byte stock = one page").isEmpty();
        m.stock.drainAll(m.tree.root());
        assertThat(objcg[0].chargedBytes()).isEqualTo(3996);
        assertThat(check(m)).as("the rest now waits in nr_charged_bytes").isEmpty();

        m.objcgs.uncharge(objcg[0], 100);
        declared[0] = 0;
        m.cgroups.rmdir(job);
    }

    @Test
    void aPageNamingAReleasedCgroupIsAUseAfterFree() {
        MemcgMachine m = TestEra.V5_11.boot();
        MemCgroup gone = m.cgroups.mkdir("/gone");
        long address = gone.address();
        m.cgroups.rmdir(gone);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        page.setMemcgData(MemcgData.kmemData(address));

        assertThat(check(m)).singleElement().asString()
                .startsWith(String.format("pfn 0x%x memcg_data 0x%x: BUG: KASAN: use-after-free at addr %016x",
                        page.pfn(), address | MemcgData.MEMCG_DATA_KMEM, address))
                .contains(String.format("page:%016x refcount:1", org.mmemu.core.page.MemMap.structPageAddress(page)));

        page.setMemcgData(0);
        m.alloc.freePage(page);
        clean.add(m);
    }

    @Test
    void wrongKindsAndBothFlagsAreReported() {
        MemcgMachine m = TestEra.LATEST.boot();
        MemCgroup job = m.cgroups.mkdir("/job");
        Page page = m.alloc.allocPage(GFP_KERNEL);

        page.setMemcgData(job.objcg().address());
        assertThat(check(m)).singleElement().asString().contains("names a ObjCgroup, not a mem_cgroup");
        page.setMemcgData(job.address() | MemcgData.MEMCG_DATA_FLAGS_MASK);
        assertThat(check(m)).singleElement().asString()
                .contains("has both MEMCG_DATA_OBJCGS and MEMCG_DATA_KMEM");

        page.setMemcgData(0);
        m.alloc.freePage(page);
        m.cgroups.rmdir(job);
        clean.add(m);
    }

    @Test
    void anUnderflowStaysReportedAfterItsWarningWasCaught() {
        MemcgMachine m = TestEra.LATEST.boot();
        MemCgroup job = m.cgroups.mkdir("/job");
        assertThatThrownBy(() -> m.charger.uncharge(job, 2)).isInstanceOf(KernelBug.class);

        assertThat(check(m)).contains(
                "the memory counter of memcg /job underflowed 1 time(s) (page_counter underflow:"
                        + " pages uncharged that were never charged there)",
                "the memory counter of memcg / underflowed 1 time(s) (page_counter underflow:"
                        + " pages uncharged that were never charged there)");
        m.cgroups.rmdir(job);
        assertThat(m.checks.run()).as("/job is released; the root, which every uncharge reaches,"
                + " still shows it, and nothing else is wrong with the machine")
                .containsExactly("memcg: the memory counter of memcg / underflowed 1 time(s)"
                        + " (page_counter underflow: pages uncharged that were never charged there)");
    }

    @Test
    void theHelperEraLeaksAreAttributableAsTheKernelLeavesThem() {
        MemcgMachine m = TestEra.V4_7.boot();
        MemCgroup job = m.cgroups.mkdir("/job");
        TaskStruct t = m.userTask("t", job);
        Page freed = allocAs(m, t, GFP_KERNEL_ACCOUNT, 0);
        Page put = allocAs(m, t, GFP_KERNEL_ACCOUNT, 0);
        m.alloc.freePage(freed);   // "page still charged to cgroup": leaked with its charge
        m.refs.putPage(put);       // uncharged as a file page: the kmem counter leaks

        assertThat(job.memory().read() - m.stock.stockedPagesOf(job)).isEqualTo(1);
        assertThat(job.kmem().read()).isEqualTo(2);
        assertThat(check(m)).isEmpty();
        m.tree.exit(t);
        m.cgroups.rmdir(job);
        assertThat(job.state()).as("pinned by the leaked page").isEqualTo(MemCgroup.State.DYING);
        assertThat(check(m)).isEmpty();

        job.kmem().charge(1);
        assertThat(check(m)).as("a dying cgroup may hold more, its online ancestors may not")
                .singleElement().asString().startsWith("kmem usage of memcg / is 3 page(s) but its subtree"
                        + " accounts for 2: 1 kmem pages, 0 behind obj_cgroup byte charges, 1 uncharged by"
                        + " put_page as file pages (4.6/4.7 leak)");
        job.kmem().uncharge(1);
        m.assertNoLostPages();
    }

    @Test
    void aDyingCgroupMayKeepChargesItsReparentedObjcgMovedAway() {
        MemcgMachine m = boot(TestEra.LATEST);
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup child = m.cgroups.mkdir(job, "child");
        ObjCgroup objcg = child.objcg();
        objcg.get();
        child.cssGet(1);            // something else keeps the removed child dying
        m.objcgs.charge(objcg, GFP_KERNEL, 4096);
        m.cgroups.rmdir(child);
        m.objcgs.uncharge(objcg, 4096);
        m.stock.drainAll(m.tree.root());

        assertThat(child.memory().read()).as("charged through the objcg, uncharged from the parent")
                .isEqualTo(1);
        assertThat(job.memory().read()).isZero();
        assertThat(check(m)).isEmpty();
        objcg.put();
        child.cssPut(1);
        m.cgroups.rmdir(job);
    }

    @Test
    void inTheLatestEraAnObjcgReparentedToTheRootChargesTheRoot() {
        MemcgMachine m = boot(TestEra.LATEST);
        MemCgroup job = m.cgroups.mkdir("/job");
        TaskStruct t = m.userTask("t", job);
        Page page = allocAs(m, t, GFP_KERNEL_ACCOUNT, 0);
        ObjCgroup objcg = job.objcg();
        objcg.get();
        m.tree.exit(t);
        m.cgroups.rmdir(job);
        assertThat(objcg.memcg()).isSameAs(m.tree.root());

        assertThat(m.objcgs.charge(objcg, GFP_KERNEL, 4096)).isZero();
        assertThat(m.tree.root().memory().read() - m.stock.stockedPagesOf(m.tree.root()))
                .as("the page and the new byte charge").isEqualTo(2);

        m.objcgs.uncharge(objcg, 4096);
        assertThat(check(m)).isEmpty();
        m.refs.putPage(page);
        objcg.put();
        assertThat(check(m)).isEmpty();
        m.stock.drainAll(m.tree.root());
        assertThat(m.tree.root().memory().read()).isZero();
    }

    @Test
    void aMachineWithDeferredSectionsIsWalkedFromItsFirstInitialisedPage() {
        com.google.inject.Injector big = Injectors.strict(new MmCoreModule(MemoryConfig.of("384M")),
                new MemcgModule());
        assertThat(big.getInstance(MemMap.class).firstInitPfn()).as("sections still deferred").isPositive();

        assertThat(big.getInstance(MemcgChargeCheck.class).check()).isEmpty();
    }
}
