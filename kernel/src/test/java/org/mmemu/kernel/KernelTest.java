package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.Injectors;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.CpuThread;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.ObjCgroup;
import org.mmemu.memcg.ObjCgroups;

/** The facade: boot, init, spawning tasks into cgroups, running as them, exit, OOM, drains. */
class KernelTest {
    private static final long PAGE = MemMap.PAGE_SIZE;

    private Kernel k;

    @AfterEach
    void theMachineIsConsistent() {
        assertThat(k.checkConsistency()).isEmpty();
    }

    private Kernel boot(Era era) {
        k = Kernel.boot(era, KernelConfig.memory("16M"));
        k.cgroupfs().mkdir("/job");
        return k;
    }

    private long current(String cgroup) {
        return k.cgroupfs().readLong(cgroup + "/memory.current");
    }

    /** Maps one anonymous page in {@code t} and faults it in, as {@code t}. */
    private void touchOnePage(Task task) {
        TaskStruct t = task.taskStruct();
        AddressSpaces spaces = k.get(AddressSpaces.class);
        try (Tasks.TaskScope running = k.enter(task)) {
            long addr = spaces.mmapAnonymous(t.mm(), 0, PAGE, VM_READ | VM_WRITE);
            assertThat(k.get(MemoryMapping.class).handleAnonFault(t.mm().vmaLookup(addr), addr)).isZero();
        }
    }

    @Test
    void initIsPid1InTheRootCgroup() {
        boot(Era.LATEST);

        assertThat(k.init().pid()).isEqualTo(1);
        assertThat(k.init().comm()).isEqualTo("init");
        assertThat(k.init().hasFlag(TaskStruct.PF_KTHREAD)).isFalse();
        assertThat(k.cgroupfs().read("/cgroup.procs")).isEqualTo("1\n");
        assertThat(k.era()).isSameAs(Era.LATEST);
        assertThat(k).hasToString("kernel latest (16M, 2 CPUs)");
    }

    @Test
    void aMachineBootedByHandWithTheKernelsModulesGetsTheFacade() {
        KernelConfig config = KernelConfig.memory("16M");
        k = Kernel.of(Injectors.strict(new MmCoreModule(config.memoryConfig()), Kernel.modules(Era.V4_8, config)));

        assertThat(k.era()).isSameAs(Era.V4_8);
        assertThat(k.get(Era.class)).isSameAs(Era.V4_8);
        assertThat(k.init().pid()).isEqualTo(1);
    }

    @Test
    void aSpawnedTaskHasItsOwnAddressSpaceInItsCgroupUntilItExits() {
        boot(Era.LATEST);

        Task t = k.spawn("worker", "/job");

        assertThat(t.pid()).isEqualTo(2);
        assertThat(t.taskStruct().comm()).isEqualTo("worker");
        assertThat(t.taskStruct().mm().pgd()).as("execve made a real mm").isNotNull();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEqualTo(t.pid() + "\n");
        MmStruct mm = t.taskStruct().mm();

        t.exit();

        assertThat(t.taskStruct().mm()).isNull();
        assertThat(mm.pgd()).as("the last mmput freed it").isNull();
        assertThat(t.taskStruct().hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        k.cgroupfs().rmdir("/job");
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void theNewMmsPgdIsChargedToTheTasksCgroupFrom48(Era era) {
        boot(era);

        Task t = k.spawn("/job");

        long charged = era == Era.V4_7 ? 0 : 1;
        long batch = era.memcgConfig().chargeBatch();
        assertThat(current("/job")).as("the charge is made a batch at a time")
                .isEqualTo(charged * batch * PAGE);
        k.drainAllStock();
        assertThat(current("/job")).isEqualTo(charged * PAGE);

        t.exit();
        k.drainAllStock();
        assertThat(current("/job")).isZero();
    }

    /**
     * Half a page of bytes in each CPU's byte stock, of an objcg whose cgroup is removed: the
     * drain of the second stock drops the objcg's last reference, and its release uncharges
     * the page the two halves make through the draining CPU's page stock (from 5.11), which
     * was drained already; the facade's drain gets that page back too.
     */
    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V5_9", "V5_10", "V5_11", "LATEST"})
    void aDrainThatReleasesAnObjcgLeavesNoPageInAnyStock(Era era) {
        boot(era);
        Cpus cpus = k.get(Cpus.class);
        ObjCgroups objcgs = k.get(ObjCgroups.class);
        ObjCgroup objcg = k.cgroupfs().mkdir("/job/child").objcg();
        int half = (int) PAGE / 2;
        Cpu cpu0 = cpus.bind(0);
        assertThat(objcgs.charge(cpu0, objcg, GFP_KERNEL, half)).isZero();
        CpuThread cpu1 = CpuThread.start(cpus, 1);
        cpu1.runAndWait(() -> objcgs.uncharge(cpus.current(), objcg, half));
        cpu1.finish();
        k.cgroupfs().rmdir("/job/child");

        k.drainAllStock();

        ChargeStock stock = k.get(MemcgCharger.class).stock();
        for (int c = 0; c < stock.nrStocks(); c++) {
            assertThat(stock.stockedPages(c)).as("cpu%d's stock", c).isZero();
        }
        assertThat(current("/job")).as("the child's page, uncharged by the objcg's release").isZero();
        cpus.unbind();
    }

    @Test
    void enterRunsCodeAsTheTaskAndLeavingPutsTheIdleThreadBack() {
        boot(Era.V5_11);
        Task t = k.spawn("/job");
        Tasks tasks = k.get(Tasks.class);

        try (Tasks.TaskScope running = k.enter(t)) {
            assertThat(tasks.current()).isSameAs(t.taskStruct());
        }

        assertThat(tasks.current().hasFlag(TaskStruct.PF_KTHREAD)).isTrue();
        assertThat(tasks.current().comm()).startsWith("swapper/");
        t.exit();
    }

    @Test
    void spawningIntoAMissingCgroupOrOneWithChildControllersFails() {
        boot(Era.LATEST);
        k.cgroupfs().write("/job/cgroup.subtree_control", "+memory");

        assertThatThrownBy(() -> k.spawn("/nowhere"))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> k.spawn("/job"))
                .as("no internal processes").isInstanceOfSatisfying(ErrnoException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThat(k.tasks()).as("no process left behind by the failed spawns").isEmpty();
    }

    @Test
    void aSpawnWhosePgdCannotBeChargedFailsWithEnomemAndLeavesNothingBehind() {
        boot(Era.V4_8);
        k.cgroupfs().write("/job/memory.max", "0");

        assertThatThrownBy(() -> k.spawn("/job"))
                .as("4.8 fails the charge instead of OOM-killing")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOMEM));
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThat(k.cgroupfs().read("/job/memory.events")).as("an oom event, and no kill").contains("oom 1\n");
        assertThat(current("/job")).isZero();
    }

    @Test
    void aSpawnOomKilledByItsOwnPgdChargeIsDeadOnReturnAndCannotFork() {
        boot(Era.V5_10);
        k.cgroupfs().write("/job/memory.max", "0");

        Task t = k.spawn("/job");

        assertThat(t.isAlive()).as("killed while its pgd was charged, it dies on its way to user space").isFalse();
        assertThat(k.cgroupfs().read("/job/memory.events")).contains("oom_kill 1\n");
        assertThat(k.tasks()).isEmpty();
        assertThatThrownBy(t::fork)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
        assertThat(current("/job")).isZero();
    }

    @Test
    void aForkOverTheLimitOomKillsWithoutLeavingAVictimToBeReapedInItsNextFork() {
        boot(Era.V5_10);
        k.cgroupfs().write("/job/memory.max", Long.toString(2 * MemMap.PAGE_SIZE));
        Task a = k.spawn("/job");
        k.spawn("/job");

        Task child = a.fork();                  // its pgd is the third page: the OOM killer runs
        List<Task> alive = k.tasks();
        for (Task t : alive) {
            try {
                t.fork().kill();                // each fork may OOM-kill another of them
            } catch (ErrnoException e) {
                assertThat(e.errno()).isIn(Errno.ENOMEM, Errno.ESRCH);
            }
        }

        assertThat(k.cgroupfs().read("/job/memory.events")).doesNotContain("oom_kill 0\n");
        assertThat(child.isAlive()).as("a child chosen in its fork is dead on return").isEqualTo(alive.contains(child));
        k.tasks().forEach(Task::exit);
    }

    /*
     * The OOM tests run as 5.10 (and 4.18, the first era whose memory.events has oom_kill),
     * whose kmem uncharge goes straight to the page counters: from 5.11 the victim's page
     * tables are uncharged into the freeing CPU's stock, where they stay in memory.current (and
     * may make memory.max's loop kill again) until a drain.
     */

    @ParameterizedTest
    @EnumSource(value = Era.class, names = {"V4_18", "V5_10"})
    void theOomKillerReapsASpawnedTasksAddressSpace(Era era) {
        boot(era);
        Task t = k.spawn("/job");
        touchOnePage(t);
        k.drainAllStock();
        assertThat(current("/job")).as("pgd, pud, pmd and pte table").isEqualTo(4 * PAGE);

        k.cgroupfs().write("/job/memory.max", "0");

        assertThat(k.cgroupfs().read("/job/memory.events")).contains("oom_kill 1\n");
        assertThat(t.taskStruct().mm()).as("exit_mm ran").isNull();
        assertThat(current("/job")).isZero();
        assertThat(k.cgroupfs().read("/job/cgroup.procs")).isEmpty();
        assertThatThrownBy(t::exit).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.ESRCH);
        assertThat(current("/job")).as("exiting a reaped task frees nothing twice").isZero();
    }

    @Test
    void theOomKillerWeighsTasksByTheirAddressSpaces() {
        boot(Era.V5_10);
        Task small = k.spawn("small", "/job");
        Task big = k.spawn("big", "/job");
        touchOnePage(big);

        k.cgroupfs().write("/job/memory.max", "4096");

        assertThat(big.taskStruct().mm()).as("rss and page tables made it the victim").isNull();
        assertThat(small.taskStruct().mm()).isNotNull();
        small.exit();
    }
}
