package org.mmemu.kernel;

import static java.util.Objects.requireNonNull;

import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Scopes;
import com.google.inject.util.Modules;
import java.util.List;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.Expectations;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.Fork;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.memcg.CgroupTree;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgCharger;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * One booted machine of an {@link Era}: every subsystem wired with the era's policies, the
 * cgroup file system, and user tasks to run code as.
 *
 * <pre>
 *  Kernel k = Kernel.boot(Era.V5_11, MemoryConfig.of("64M"));
 *  k.cgroupfs().mkdir("/job");
 *  k.cgroupfs().write("/job/memory.max", "16M");
 *  TaskStruct t = k.spawn("/job");
 *  try (var running = k.enter(t)) {
 *      ...                                   // allocations here are charged to /job
 *  }
 *  k.exit(t);
 * </pre>
 *
 * <p>Boot order, as in the kernel: the machine's memory, the root cgroup, then init (pid 1, in
 * the root cgroup), which the memcg OOM killer never picks. Tasks run on the calling thread's
 * emulated CPU; outside {@link #enter} that CPU runs its idle kernel thread, whose allocations
 * are never charged.
 */
public final class Kernel {
    private final Era era;
    private final Injector injector;
    private final Tasks tasks;
    private final Cgroups cgroups;
    private final CgroupFs cgroupfs;
    private final AddressSpaces spaces;
    private final Exit exits;
    private final TaskStruct init;

    private Kernel(Injector injector) {
        this.era = injector.getInstance(Era.class);
        this.injector = injector;
        this.tasks = injector.getInstance(Tasks.class);
        this.cgroups = injector.getInstance(Cgroups.class);
        this.cgroupfs = injector.getInstance(CgroupFs.class);
        this.spaces = injector.getInstance(AddressSpaces.class);
        this.exits = injector.getInstance(Exit.class);
        // init's mm only fills the slot (a user task, not a kernel thread); it maps nothing.
        this.init = tasks.create("init", new MmStruct());
        if (init.pid() != 1) {
            throw new IllegalStateException("init got pid " + init.pid() + ": tasks were created before boot");
        }
        cgroups.attach(init, cgroups.root());
    }

    /**
     * Boots a machine of {@code era}: mm-core with {@code memory}, and {@link #modules} with
     * the {@code extra} modules, which override the era's choices.
     */
    public static Kernel boot(Era era, MemoryConfig memory, Module... extra) {
        return of(Injectors.strict(new MmCoreModule(memory), modules(era, extra)));
    }

    /**
     * Everything a machine of {@code era} installs above {@code MmCoreModule}: memcg, the era's
     * preset, the kernel's own wiring (tasks' address spaces for the OOM killer), and
     * {@code extra} modules (more subsystems such as {@code S390Module}, test stand-ins, policy
     * selections). The extra modules override the rest: a policy they select replaces the
     * era's choice of that kind. For machines booted by other means (a test fixture), then
     * wrapped with {@link #of}.
     */
    public static Module modules(Era era, Module... extra) {
        requireNonNull(era, "era is null");
        Module base = Modules.combine(new MemcgModule(), era.module(), binder -> {
            binder.bind(Era.class).toInstance(era);
            binder.bind(TaskAddressSpace.class).in(Scopes.SINGLETON);
            MemcgModule.taskMemory(binder).addBinding().to(TaskAddressSpace.class);
        });
        return Modules.override(base).with(extra);
    }

    /**
     * The facade over a machine built with {@link #modules}: starts init. Call it once per
     * machine, before anything creates a task.
     */
    public static Kernel of(Injector injector) {
        return new Kernel(injector);
    }

    /** The era the machine was booted as. */
    public Era era() {
        return era;
    }

    /** The machine's injector: every service of every module. */
    public Injector injector() {
        return injector;
    }

    /** A service bound in the machine. */
    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    /** The cgroup v2 file system (mounted at its root: paths are "/job/memory.max"). */
    public CgroupFs cgroupfs() {
        return cgroupfs;
    }

    /** pid 1, in the root cgroup. */
    public TaskStruct init() {
        return init;
    }

    /** {@link #spawn(String, String)} with comm "task". */
    public TaskStruct spawn(String cgroupPath) {
        return spawn("task", cgroupPath);
    }

    /**
     * A new user task in the cgroup at {@code cgroupPath}, with root's credentials, init's
     * limits (the era's defaults), an empty fd table and an address space of its own:
     * init forks it straight into the cgroup ({@code clone3} with {@code CLONE_INTO_CGROUP})
     * and it execs, so its new mm (the pgd) is allocated, and charged, in its own context, as
     * everything it maps later will be.
     *
     * @throws ErrnoException {@code ENOENT} if no such cgroup, {@code EBUSY} if the cgroup
     *     enables memory for its children (no internal processes), {@code ENOMEM} if no pgd
     */
    public TaskStruct spawn(String comm, String cgroupPath) {
        MemCgroup memcg = get(CgroupTree.class).lookup(cgroupPath);
        if (memcg == null) {
            throw new ErrnoException(Errno.ENOENT, cgroupPath);
        }
        // Until execve replaces it, the child runs on a copy of init's mm, which maps nothing.
        TaskStruct task = tasks.create(comm, new MmStruct());
        cgroups.attach(task, memcg);
        MmStruct mm;
        try (Tasks.TaskScope running = tasks.enter(task)) {
            mm = spaces.mmAlloc();
        }
        if (mm == null) {
            exit(task);
            throw new ErrnoException(Errno.ENOMEM, "execve of " + task);
        }
        task.setMm(mm);
        return task;
    }

    /**
     * Runs {@code task} on the calling thread's CPU until the scope is closed.
     *
     * @throws ErrnoException {@code ESRCH} if the task has exited: a dead task runs no more
     */
    public Tasks.TaskScope enter(TaskStruct task) {
        requireAlive(task);
        return tasks.enter(task);
    }

    /**
     * {@code do_exit}: the task lets go of everything it holds, in the kernel's order
     * ({@link Exit}: its mm, its fds, whatever the installed modules give tasks, its cgroup;
     * each page is uncharged from the cgroup it was charged to), and its pid is gone.
     *
     * @throws ErrnoException {@code ESRCH} if the task has already exited (the OOM killer may
     *     have made it exit)
     */
    public void exit(TaskStruct task) {
        if (!exits.doExit(task)) {
            throw new ErrnoException(Errno.ESRCH, task + " has already exited");
        }
    }

    /**
     * {@code fork()} by {@code parent}: a child in the same cgroup, with the same credentials and
     * limits, a copy of the fd table sharing the open files, and a copy of the address space's
     * layout ({@link Fork#copyProcess}).
     *
     * @throws ErrnoException {@code ESRCH} if {@code parent} has exited, {@code ENOMEM} if the
     *     child's mm could not be allocated
     */
    public TaskStruct fork(TaskStruct parent) {
        requireAlive(parent);
        TaskStruct child = get(Fork.class).copyProcess(parent);
        if (child == null) {
            throw new ErrnoException(Errno.ENOMEM, "fork of " + parent);
        }
        return child;
    }

    private static void requireAlive(TaskStruct task) {
        if (!task.isAlive()) {
            throw new ErrnoException(Errno.ESRCH, task + " has exited");
        }
    }

    /**
     * {@code drain_all_stock(root_mem_cgroup)}: gives every CPU's pre-charged stock back to its
     * cgroup, as removing a cgroup or lowering {@code memory.max} does, so that
     * {@code memory.current} counts exactly the pages charged. The drain of a CPU whose thread
     * is alive is that thread's to run: this waits for it ({@link Cpus#flushWork}).
     */
    public void drainAllStock() {
        get(MemcgCharger.class).stock().drainAll(cgroups.root());
        get(Cpus.class).flushWork();
    }

    /**
     * Runs every consistency check bound in the machine (buddy, page leaks, RCU, and those of
     * the installed modules) and returns the violations, with the bad-page reports nobody
     * declared ({@link #expectBadPage}) and the declarations that did not come true; empty when
     * all is well. Exact only while no other thread uses the machine.
     */
    public List<String> checkConsistency() {
        return get(ConsistencyChecks.class).runWithExpectations();
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
        return "kernel " + era.version() + " (" + get(MemoryConfig.class) + ")";
    }
}
