package org.mmemu.kernel;

import static java.util.Objects.requireNonNull;

import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.bpf.BpfModule;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.Injectors;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.core.check.Expectations;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.Fork;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.ChargeStock;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.fs.CgroupFs;
import org.mmemu.net.UnixModule;
import org.mmemu.pipe.PipeModule;
import org.mmemu.slab.SlabModule;

/**
 * One booted machine of an {@link Era}: every subsystem wired with the era's policies, the
 * cgroup file system, and user processes ({@link Task}) to run code as. Closing it ends every
 * process and runs every consistency check:
 *
 * <pre>
 *  try (Kernel k = Kernel.boot(Era.V5_11, KernelConfig.memory("64M"))) {
 *      k.cgroupfs().mkdir("/job");
 *      k.cgroupfs().write("/job/memory.max", "16M");
 *      Task t = k.spawn("/job");
 *      try (var running = k.enter(t)) {
 *          ...                               // allocations here are charged to /job
 *      }
 *  }                                         // t exits; a leaked page fails the close
 * </pre>
 *
 * <p>Boot order, as in the kernel: the machine's memory, the root cgroup, then init (pid 1, in
 * the root cgroup), which the memcg OOM killer never picks. Tasks run on the calling thread's
 * emulated CPU; outside {@link #enter} that CPU runs its idle kernel thread, whose allocations
 * are never charged. Every call after {@link #close} fails with an
 * {@link IllegalStateException}.
 */
public final class Kernel implements AutoCloseable {
    /** Rounds of {@code rcu_barrier} at close before a callback still queued is reported. */
    private static final int MAX_RCU_ROUNDS = 8;
    /** In {@link #enter}, before the task runs: where a kill races with a CPU starting to run it. */
    static final InterleavingPoint BEFORE_RUNNING = InterleavingPoint.declare("kernel:enter:before_running");
    /** In {@link #enter}, with the task running: a system call is under way as it. */
    static final InterleavingPoint SYSCALL = InterleavingPoint.declare("kernel:enter:syscall");
    /** The injectors of closed machines, for the next boot of their configuration. */
    private static final InjectorPool POOL = new InjectorPool();

    private final Era era;
    private final Injector injector;
    /** The configuration whose pool {@link #close} gives the injector back to; null if not pooled ({@link #of}). */
    private final InjectorPool.Config pooled;
    private final Tasks tasks;
    private final Cgroups cgroups;
    private final CgroupFs cgroupfs;
    private final AddressSpaces spaces;
    private final Exit exits;
    private final Cpus cpus;
    private final TaskStruct init;
    private volatile boolean closed;

    private Kernel(Injector injector, InjectorPool.Config pooled) {
        this.era = injector.getInstance(Era.class);
        this.injector = injector;
        this.pooled = pooled;
        this.tasks = injector.getInstance(Tasks.class);
        this.cgroups = injector.getInstance(Cgroups.class);
        this.cgroupfs = injector.getInstance(CgroupFs.class);
        this.spaces = injector.getInstance(AddressSpaces.class);
        this.exits = injector.getInstance(Exit.class);
        this.cpus = injector.getInstance(Cpus.class);
        // init's mm only fills the slot (a user task, not a kernel thread); it maps nothing.
        this.init = tasks.create("init", new MmStruct());
        if (init.pid() != 1) {
            throw new IllegalStateException("init got pid " + init.pid() + ": tasks were created before boot");
        }
        cgroups.attach(init, cgroups.root());
    }

    /**
     * Boots a machine of {@code era} with the {@link KernelConfig#defaults()}: 1 GiB, 2 CPUs, the
     * generic architecture, kernel memory accounted, every module wired.
     */
    public static Kernel boot(Era era) {
        return boot(era, KernelConfig.defaults());
    }

    /**
     * Boots a machine of {@code era} as {@code config} says. The injector of a closed machine of
     * the same era and config (the same override modules) builds it if one is idle: a fresh
     * machine, nothing of the last one's kept, without the cost of building an injector.
     */
    public static Kernel boot(Era era, KernelConfig config) {
        requireNonNull(era, "era is null");
        InjectorPool.Config key = new InjectorPool.Config(era, config);
        Injector injector = POOL.take(key,
                () -> Injectors.strict(new MmCoreModule(config.memoryConfig()), modules(era, config)));
        try {
            return new Kernel(injector, key);
        } catch (RuntimeException | Error e) {
            POOL.give(key, injector);
            throw e;
        }
    }

    /**
     * Everything a machine of {@code era} installs above {@code MmCoreModule}: memcg, slab, pipes, AF_UNIX, BPF maps, the era's
     * preset, the kernel's own wiring (tasks' address spaces for the OOM killer), then what
     * {@code config} overrides (its architecture, the kmem switch, its modules): a policy an
     * override selects replaces the era's choice of that kind. For machines booted by other
     * means (a test fixture, with {@link KernelConfig#memoryConfig()}), then wrapped with
     * {@link #of}.
     */
    public static Module modules(Era era, KernelConfig config) {
        requireNonNull(era, "era is null");
        Module base = Modules.combine(new MemcgModule(), new SlabModule(), new PipeModule(), new UnixModule(),
                new BpfModule(),
                era.module(), binder -> {
            binder.bind(Era.class).toInstance(era);
            binder.bind(TaskAddressSpace.class).in(MachineScoped.class);
            MemcgModule.taskMemory(binder).addBinding().to(TaskAddressSpace.class);
        });
        List<Module> overrides = config.overrides(era);
        // Modules.override records every binding of the base once more: only when needed.
        overrides.removeIf(m -> m == Modules.EMPTY_MODULE);
        return overrides.isEmpty() ? base : Modules.override(base).with(overrides);
    }

    /**
     * The facade over a machine built with {@link #modules}: starts init. Call it once per
     * machine, before anything creates a task. Its close leaves the injector to its builder.
     */
    public static Kernel of(Injector injector) {
        return new Kernel(injector, null);
    }

    /** The era the machine was booted as. */
    public Era era() {
        return era;
    }

    /**
     * The machine's injector: every service of every module. Once the machine is closed, it may
     * serve the next machine {@link #boot} builds of the same configuration.
     */
    public Injector injector() {
        requireOpen();
        return injector;
    }

    /** A service bound in the machine. */
    public <T> T get(Class<T> type) {
        requireOpen();
        return injector.getInstance(type);
    }

    /** The cgroup v2 file system (mounted at its root: paths are "/job/memory.max"). */
    public CgroupFs cgroupfs() {
        requireOpen();
        return cgroupfs;
    }

    /** The kernel log: {@code dmesg}'s lines, bad-page reports and OOM kills among them. */
    public KernelLog log() {
        return get(KernelLog.class);
    }

    /** pid 1, in the root cgroup: the kernel side of init, which no one exits. */
    public TaskStruct init() {
        return init;
    }

    /** {@link #spawn(String, String)} with comm "task". */
    public Task spawn(String cgroupPath) {
        return spawn("task", cgroupPath);
    }

    /**
     * A new user process in the cgroup at {@code cgroupPath}, with root's credentials, init's
     * limits (the era's defaults), an empty fd table and an address space of its own:
     * init forks it straight into the cgroup ({@code clone3} with {@code CLONE_INTO_CGROUP})
     * and it execs, so its new mm (the pgd) is allocated, and charged, in its own context, as
     * everything it maps later will be. If the OOM killer chose it meanwhile (the pgd's charge
     * went over {@code memory.max}), it dies on its way to user space: the handle is then dead.
     *
     * @throws ErrnoException {@code ENOENT} if no such cgroup, {@code EBUSY} if the cgroup
     *     enables memory for its children (no internal processes), {@code ENOMEM} if no pgd
     */
    public Task spawn(String comm, String cgroupPath) {
        requireOpen();
        MemCgroup memcg = get(CgroupTree.class).lookup(cgroupPath);
        if (memcg == null) {
            throw new ErrnoException(Errno.ENOENT, cgroupPath);
        }
        // Until execve replaces it, the child runs on a copy of init's mm, which maps nothing.
        TaskStruct task = tasks.create(comm, new MmStruct());
        try {
            cgroups.attach(task, memcg);
        } catch (ErrnoException e) {
            exits.doExit(task);     // clone3 fails: the child never ran, no pid stays behind
            throw e;
        }
        Tasks.TaskScope running;
        try {
            running = tasks.enter(task);
        } catch (ErrnoException e) {
            // ESRCH: another CPU's OOM killer chose the child before it ran, and exits it.
            return new Task(this, task);
        }
        MmStruct mm;
        try (running) {
            mm = spaces.mmAlloc();
            if (mm != null) {
                task.setMm(mm);     // exec_mmap, as the task: a kill meanwhile only marks it
            }
        }
        if (mm == null) {
            exits.doExit(task);
            throw new ErrnoException(Errno.ENOMEM, "execve of " + task);
        }
        // The return to user space: a task the OOM killer chose while its pgd was charged dies.
        exits.exitIfKilled(task);
        return new Task(this, task);
    }

    /** Every user process alive, by pid (init and kernel threads aside). */
    public List<Task> tasks() {
        requireOpen();
        List<Task> all = new ArrayList<>();
        for (TaskStruct t : tasks.tasks()) {
            if (t != init && !t.hasFlag(TaskStruct.PF_KTHREAD)) {
                all.add(new Task(this, t));
            }
        }
        return all;
    }

    /**
     * Runs {@code task} on the calling thread's CPU until the scope is closed. Closing it is the
     * return to user space, a schedule point: work queued for the CPU meanwhile runs, and a
     * process killed meanwhile ({@link Task#kill}, or chosen by the OOM killer) exits, once no
     * other CPU runs it either. While a CPU runs the task, no kill exits it: it is only marked.
     *
     * @throws ErrnoException {@code ESRCH} if the task is dead, or killed while no CPU ran it:
     *     a dead task runs no more
     */
    public Tasks.TaskScope enter(Task task) {
        TaskStruct t = task.taskStruct();
        Cpu cpu = beforeRunning(t);
        TaskStruct previous = run(cpu, t);
        return () -> leave(cpu, previous, t);
    }

    /*
     * enter(Task) in three steps without a scope object, for the facade's data calls (a pipe's
     * or a socket's, which allocate nothing per call): beforeRunning, run, then leave in a
     * finally.
     */

    /**
     * The first step of {@link #enter(Task)}: {@code t} is alive (else ESRCH, as there).
     *
     * @return the calling thread's CPU, where {@code t} is to run
     */
    Cpu beforeRunning(TaskStruct t) {
        requireAlive(t);
        BEFORE_RUNNING.reach();
        return cpus.current();
    }

    /**
     * The second step of {@link #enter(Task)}: {@code t} runs on {@code cpu} until {@link #leave}.
     *
     * @return the task that ran before, for {@link #leave}
     */
    TaskStruct run(Cpu cpu, TaskStruct t) {
        TaskStruct previous = tasks.switchIn(cpu, t);
        SYSCALL.reach();
        return previous;
    }

    /** The last step of {@link #enter(Task)}, its scope's close: the return to user space. */
    void leave(Cpu cpu, TaskStruct previous, TaskStruct t) {
        tasks.switchOut(cpu, previous, t);
        // The way back to user space is a schedule point: work queued meanwhile (a kworker's
        // item, such as a 4.x cache clone's creation) runs now, outside the task's context.
        cpus.condResched();
        exits.exitIfKilled(t);
    }

    /**
     * {@link Task#kill}: SIGKILL ({@link Exit#sigkill}), which exits a task no CPU runs at once
     * and marks one in a system call, which then exits on its way back to user space.
     */
    void kill(TaskStruct task) {
        requireAlive(task);
        exits.sigkill(task);
    }

    /**
     * {@code do_group_exit} of {@code task} ({@link Exit#groupExit}): it exits now if no CPU
     * runs it, otherwise it is marked and the last CPU to leave it exits it.
     *
     * @throws ErrnoException {@code ESRCH}, naming the call, if the task is dead, or exiting
     *     already (killed or exited while a CPU runs it): such a task's threads never return
     *     to user space, so none can make the call
     */
    void exit(TaskStruct task, String call) {
        requireOpen();
        if (!task.isAlive() || task.fatalSignalPending()) {
            String state = task.isAlive() ? "exiting" : "dead";
            throw new ErrnoException(Errno.ESRCH, call + " " + task + ", which is " + state);
        }
        exits.groupExit(task);
    }

    /**
     * {@link Task#fork()}, a system call of the parent: the child's pgd is charged in the
     * child's context, where the OOM killer may choose the parent, which is then only marked
     * (it runs) and dies on its way back to user space, as a child chosen itself does.
     */
    Task fork(Task parent) {
        TaskStruct child;
        try (Tasks.TaskScope running = enter(parent)) {
            child = get(Fork.class).copyProcess(parent.taskStruct());
        }
        if (child == null) {
            throw new ErrnoException(Errno.ENOMEM, "fork of " + parent);
        }
        exits.exitIfKilled(child);
        return new Task(this, child);
    }

    /** Refuses a call on a dead task with ESRCH (and any call once the kernel is closed). */
    void requireAlive(TaskStruct task) {
        requireOpen();
        if (!task.isAlive()) {
            throw new ErrnoException(Errno.ESRCH, task + " is dead");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /**
     * {@code drain_all_stock(root_mem_cgroup)}: gives every CPU's pre-charged stock back to its
     * cgroup, as removing a cgroup or lowering {@code memory.max} does, so that
     * {@code memory.current} counts exactly the pages charged. The drain of a CPU whose thread
     * is alive is that thread's to run: this waits for it ({@link Cpus#flushWork}). A drain
     * that drops an obj_cgroup's last reference uncharges its leftover bytes through a stock
     * ({@code obj_cgroup_release}, into the page stock from 5.11), maybe one drained already:
     * the drain is repeated until no stock holds a page.
     */
    public void drainAllStock() {
        ChargeStock stock = get(MemcgCharger.class).stock();
        do {
            stock.drainAll(cgroups.root());
            get(Cpus.class).flushWork();
        } while (holdsPages(stock));
    }

    private static boolean holdsPages(ChargeStock stock) {
        for (int c = 0; c < stock.nrStocks(); c++) {
            if (stock.stockedPages(c) > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs every consistency check bound in the machine (buddy, page leaks, RCU, files, charges,
     * and those of the installed modules) and returns the violations, with the bad-page reports
     * nobody declared ({@link #expectBadPage}) and the declarations that did not come true; empty
     * when all is well. Exact only while no other thread uses the machine. Pages a live process
     * holds (its page tables) are leaks here: {@link #close} exits the processes first.
     */
    public List<String> checkConsistency() {
        return get(ConsistencyChecks.class).runWithExpectations();
    }

    /**
     * Shuts the machine down and checks it: exits every process still alive, lets RCU finish,
     * drains the per-CPU stocks, runs {@link #checkConsistency()} and gives the calling
     * thread's CPU back. Then, whether the checks passed or not, a machine {@link #boot} built
     * ends: every service of it is dropped and its injector waits for the next boot of the same
     * configuration. Closing again does nothing.
     *
     * @throws ConsistencyFailure listing each problem (pages with their dump_page text)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        List<String> problems;
        try {
            problems = shutDown();
        } finally {
            closed = true;
            if (pooled != null) {
                POOL.give(pooled, injector);    // the machine is dropped, checked or not
            }
        }
        ConsistencyFailure.throwIfAny(toString(), problems);
    }

    /** {@link #close}'s work before the machine ends: its problems. */
    private List<String> shutDown() {
        for (TaskStruct t : tasks.tasks()) {
            if (t != init) {
                exits.doExit(t);
            }
        }
        // A callback may queue another (a map's free queues its element caches' frees, as
        // bpf_mem_alloc_destroy pairs its rcu_barrier calls): wait until none is left.
        Rcu rcu = get(Rcu.class);
        for (int round = 0; round < MAX_RCU_ROUNDS; round++) {
            rcu.rcuBarrier();
            if (rcu.pendingCallbacks() == 0) {
                break;
            }
        }
        drainAllStock();
        List<String> problems = checkConsistency();
        cpus.unbind();
        return problems;
    }

    /** The caller provokes one bad-page report with this reason (as the kernel words it). */
    public void expectBadPage(String reason) {
        get(Expectations.class).expectBadPage(reason);
    }

    /** The caller provokes one bad-page report about {@code page} with this reason. */
    public void expectBadPage(Page page, String reason) {
        get(Expectations.class).expectBadPage(page, reason);
    }

    /**
     * The caller leaves {@code page} allocated on purpose (the whole compound page if it is a
     * compound head): not a leak for {@link #checkConsistency}, which reports it if it is free.
     */
    public void expectLeak(Page page) {
        get(Expectations.class).expectLeak(page);
    }

    @Override
    public String toString() {
        return "kernel " + era.version() + " (" + injector.getInstance(MemoryConfig.class) + ")";
    }
}
