package org.mmemu.core.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.Mman.MAP_SHARED;
import static org.mmemu.core.mm.Mman.PROT_READ;
import static org.mmemu.core.mm.VmFlags.VM_DONTCOPY;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.VmallocDriver;
import org.mmemu.core.vmalloc.Vmalloc;

/** copy_process and do_exit (kernel/fork.c, kernel/exit.c): what a child gets, what an exit frees, in which order. */
class ForkExitTest {
    private final List<String> events = new ArrayList<>();
    private final List<TaskStruct> allocatingAs = new ArrayList<>();
    private final Machine m = Machine.boot(binder -> {
        TaskHooks.forkHooks(binder).add((parent, child) -> events.add("fork " + parent.pid() + "->" + child.pid()));
        TaskHooks.exitHooks(binder).add(task -> events.add("exit hook: mm " + task.mm() + ", files " + task.files()));
        PageHooks.allocHooks(binder).add((cpu, page, gfp, order) -> allocatingAs.add(cpu.current()));
    });
    private final AddressSpaces spaces = m.injector.getInstance(AddressSpaces.class);
    private final MemoryMapping memory = m.injector.getInstance(MemoryMapping.class);
    private final Fork fork = m.injector.getInstance(Fork.class);
    private final Exit exit = m.injector.getInstance(Exit.class);
    private final FileOperations recording = new FileOperations() {
        @Override
        public void release(File file) {
            TaskStruct owner = (TaskStruct) file.privateData();
            events.add("release: mm " + owner.mm());
        }
    };

    @AfterEach
    void everythingIsFreed() {
        for (TaskStruct t : m.tasks.tasks()) {
            exit.doExit(t);
        }
        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    private TaskStruct spawn(String comm) {
        TaskStruct t = m.tasks.create(comm, null);
        try (var running = m.tasks.enter(t)) {
            t.setMm(spaces.mmAlloc());
        }
        return t;
    }

    private int open(TaskStruct t, Object data) {
        FilesStruct files = t.files();
        int fd = files.getUnusedFd(t.rlimit(Rlimits.RLIMIT_NOFILE));
        files.fdInstall(fd, new File(recording, data, File.FMODE_READ));
        return fd;
    }

    @Test
    void theChildGetsACopyOfTheFdTableSharingTheFiles() {
        TaskStruct parent = spawn("parent");
        int fd = open(parent, parent);
        File file = parent.files().fget(fd);
        file.put();

        TaskStruct child = fork.copyProcess(parent);

        assertThat(child.files()).isNotSameAs(parent.files());
        File inChild = child.files().fget(fd);
        assertThat(inChild).isSameAs(file);
        inChild.put();
        assertThat(file.count()).as("one reference per table").isEqualTo(2);
        assertThat(child.files().closeFd(fd)).isZero();
        assertThat(parent.files().openFds()).containsExactly(fd);
        assertThat(file.count()).isEqualTo(1);
    }

    @Test
    void theChildGetsTheParentsLayoutInAnMmOfItsOwnAllocatedAsTheChild() {
        TaskStruct parent = spawn("parent");
        long rw = VM_READ | VM_WRITE;
        long a = spaces.mmapAnonymous(parent.mm(), 0, 3 * MemMap.PAGE_SIZE, rw);
        long b = spaces.mmapAnonymous(parent.mm(), 0, MemMap.PAGE_SIZE, VM_READ);
        spaces.mmapAnonymous(parent.mm(), 0, MemMap.PAGE_SIZE, rw | VM_DONTCOPY);
        assertThat(memory.handleAnonFault(parent.mm().vmaLookup(a), a)).isZero();
        allocatingAs.clear();
        m.hooks.allocKey().inc();

        TaskStruct child = fork.copyProcess(parent);
        m.hooks.allocKey().dec();

        MmStruct mm = child.mm();
        assertThat(mm).isNotSameAs(parent.mm());
        assertThat(mm.pgd()).isNotNull();
        assertThat(allocatingAs).as("the child's pgd, allocated in its context").isNotEmpty().containsOnly(child);
        long aFlags = parent.mm().vmaLookup(a).flags();
        long bFlags = parent.mm().vmaLookup(b).flags();
        assertThat(aFlags & rw).isEqualTo(rw);
        assertThat(mm.vmas()).extracting(Vma::start, Vma::end, Vma::flags).containsExactly(
                Tuple.tuple(a, a + 3 * MemMap.PAGE_SIZE, aFlags),
                Tuple.tuple(b, b + MemMap.PAGE_SIZE, bFlags));
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).as("no page is copied").isZero();
        assertThat(memory.handleAnonFault(mm.vmaLookup(a), a)).as("the child faults its own").isZero();
        assertThat(memory.followPage(mm.vmaLookup(a), a)).isNotSameAs(memory.followPage(parent.mm().vmaLookup(a), a));
    }

    @Test
    void aDriverMappingIsOpenedAndItsPagesMappedAgainInTheChild() {
        TaskStruct parent = spawn("parent");
        VmallocDriver driver = new VmallocDriver(m.injector.getInstance(Vmalloc.class), 2);
        File file = driver.open(File.FMODE_READ | File.FMODE_WRITE);
        long addr = spaces.mmap(parent.mm(), file, 0, 2 * MemMap.PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
        file.put();
        assertThat(addr).isPositive();
        Page first = driver.page(0);
        int mapcount = first.mapcountWord();

        TaskStruct child = fork.copyProcess(parent);

        Vma copy = child.mm().vmaLookup(addr);
        assertThat(copy).isNotNull();
        assertThat(copy.isAnonymous()).isFalse();
        assertThat(driver.mappings()).as("vm_ops->open on the copy").isEqualTo(2);
        assertThat(memory.followPage(copy, addr)).as("copy_page_range: the same page").isSameAs(first);
        assertThat(first.mapcountWord()).isEqualTo(mapcount + 1);
        exit.doExit(child);
        assertThat(driver.mappings()).isEqualTo(1);
        exit.doExit(parent);
        assertThat(driver.released()).as("the last mapping held the last file reference").isTrue();
    }

    @Test
    void theChildSharesTheCredentialsAndCopiesTheLimits() {
        TaskStruct parent = spawn("parent");
        int users = parent.cred().user().count();
        TaskStruct child = fork.copyProcess(parent);

        assertThat(child.pid()).isNotEqualTo(parent.pid());
        assertThat(child.comm()).isEqualTo("parent");
        assertThat(child.cred()).isSameAs(parent.cred());
        assertThat(child.cred().user().count()).as("the cred is shared, not the user reference").isEqualTo(users);
        assertThat(child.rlimits()).isNotSameAs(parent.rlimits());
        assertThat(child.rlimit(Rlimits.RLIMIT_MEMLOCK)).isEqualTo(parent.rlimit(Rlimits.RLIMIT_MEMLOCK));
        assertThat(m.tasks.findTaskByVpid(child.pid())).isSameAs(child);
        assertThat(events).contains("fork " + parent.pid() + "->" + child.pid());
    }

    @Test
    void exitReleasesTheMmThenTheFilesThenRunsTheHooks() {
        TaskStruct t = spawn("t");
        open(t, t);
        MmStruct mm = t.mm();

        assertThat(exit.doExit(t)).isTrue();

        assertThat(events).containsExactly("release: mm null", "exit hook: mm null, files null");
        assertThat(mm.pgd()).as("the last mmput freed it").isNull();
        assertThat(t.isAlive()).isFalse();
        assertThat(t.hasFlag(TaskStruct.PF_EXITING)).isTrue();
        assertThat(t.exitState()).isEqualTo(TaskStruct.EXIT_DEAD);
        assertThat(m.tasks.findTaskByVpid(t.pid())).isNull();
    }

    @Test
    void anExitedTaskDoesNotExitTwiceNorFork() {
        TaskStruct t = spawn("t");
        exit.doExit(t);
        events.clear();

        assertThat(exit.doExit(t)).isFalse();
        assertThat(events).isEmpty();
        assertThatThrownBy(() -> fork.copyProcess(t)).isInstanceOf(KernelBug.class).hasMessageContaining("exited");
    }

    @Test
    void aSharedFileIsReleasedByTheLastExit() {
        TaskStruct parent = spawn("parent");
        open(parent, parent);
        TaskStruct child = fork.copyProcess(parent);

        exit.doExit(parent);
        assertThat(events).doesNotContain("release: mm null");
        exit.doExit(child);
        assertThat(events).containsOnlyOnce("release: mm null");
    }

    @Test
    void exitDropsTheUserReference() {
        TaskStruct t = spawn("t");
        var user = t.cred().user();
        int before = user.count();
        var cred = t.cred();
        int usage = cred.usage();

        exit.doExit(t);

        assertThat(cred.usage()).isEqualTo(usage - 1);
        assertThat(user.count()).as("init_cred still holds root_user").isEqualTo(before);
    }

    @Test
    void kernelThreadsDoNotFork() {
        TaskStruct kthread = m.tasks.createKthread("kworker/0:1");
        assertThatThrownBy(() -> fork.copyProcess(kthread)).isInstanceOf(KernelBug.class);
    }
}
