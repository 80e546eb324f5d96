package org.mmemu.memcg.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.MemoryStat;
import org.mmemu.memcg.stat.MemcgEvent;
import org.mmemu.memcg.stat.MemcgStatItem;
import org.mmemu.memcg.stat.MemoryStatFormat;

class CgroupFsTest {
    private final List<MemcgMachine> machines = new ArrayList<>();
    private final MemcgMachine m = boot(CgroupFsLayout.LATEST);
    private final CgroupFs fs = fs(m);

    @AfterEach
    void noLeaks() {
        machines.forEach(MemcgMachine::assertNoLeaks);
    }

    private MemcgMachine boot(CgroupFsLayout layout) {
        MemcgMachine machine = MemcgMachine.boot(binder ->
                policyBinder(binder, CgroupFsLayout.class).select(layout.policyName()));
        machines.add(machine);
        return machine;
    }

    private static CgroupFs fs(MemcgMachine machine) {
        return machine.injector.getInstance(CgroupFs.class);
    }

    private static void assertErrno(Runnable r, Errno errno) {
        assertThatThrownBy(r::run).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(errno);
    }

    @Test
    void filesOfTheRootAndOfAChildInTheLatestEra() {
        fs.mkdir("/job");
        assertThat(fs.list("/")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.stat", "memory.pressure", "memory.stat", "memory.numa_stat",
                "memory.reclaim");
        assertThat(fs.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "cgroup.stat", "memory.pressure", "memory.current",
                "memory.peak", "memory.min", "memory.low", "memory.high", "memory.max", "memory.events",
                "memory.events.local", "memory.stat", "memory.numa_stat", "memory.oom.group",
                "memory.reclaim", "memory.swap.current", "memory.swap.high", "memory.swap.max",
                "memory.swap.peak", "memory.swap.events");
        assertErrno(() -> fs.read("/memory.current"), Errno.ENOENT);
        assertErrno(() -> fs.read("/job/memory.zswap.max"), Errno.ENOENT);
        assertErrno(() -> fs.read("/nope/memory.current"), Errno.ENOENT);
        fs.rmdir("/job");
    }

    @Test
    void filesOfOlderEras() {
        CgroupFs fs48 = fs(boot(CgroupFsLayout.V4_8));
        CgroupFs fs510 = fs(boot(CgroupFsLayout.V5_10));
        fs48.mkdir("/job");
        fs510.mkdir("/job");
        assertThat(fs48.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "memory.current", "memory.low", "memory.high", "memory.max",
                "memory.events", "memory.stat", "memory.swap.current", "memory.swap.max");
        assertThat(fs48.list("/")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs");
        assertThat(fs48.read("/job/memory.events")).isEqualTo("low 0\nhigh 0\nmax 0\noom 0\n");
        assertThat(fs48.read("/job/cgroup.events")).isEqualTo("populated 0\n");
        assertThat(fs510.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "cgroup.stat", "memory.pressure", "memory.current",
                "memory.min", "memory.low", "memory.high", "memory.max", "memory.events",
                "memory.events.local", "memory.stat", "memory.numa_stat", "memory.oom.group",
                "memory.swap.current", "memory.swap.high", "memory.swap.max", "memory.swap.events");
        assertThat(fs510.list("/")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.stat", "memory.pressure", "memory.stat", "memory.numa_stat");
        assertThat(fs510.read("/job/memory.events")).isEqualTo("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        assertThat(fs510.read("/job/cgroup.stat")).isEqualTo("nr_descendants 0\nnr_dying_descendants 0\n");
        fs48.rmdir("/job");
        fs510.rmdir("/job");
    }

    @Test
    void filesOf59AreThoseOf510WithoutNumaStat() {
        CgroupFs fs59 = fs(boot(CgroupFsLayout.V5_9));
        fs59.mkdir("/job");
        assertThat(fs59.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "cgroup.stat", "memory.pressure", "memory.current",
                "memory.min", "memory.low", "memory.high", "memory.max", "memory.events",
                "memory.events.local", "memory.stat", "memory.oom.group", "memory.swap.current",
                "memory.swap.high", "memory.swap.max", "memory.swap.events");
        assertThat(fs59.list("/")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.stat", "memory.pressure", "memory.stat");
        assertErrno(() -> fs59.read("/job/memory.numa_stat"), Errno.ENOENT);
        assertThat(fs59.read("/job/cgroup.events")).isEqualTo("populated 0\nfrozen 0\n");
        fs59.rmdir("/job");
    }

    @Test
    void filesOf418() {
        CgroupFs fs418 = fs(boot(CgroupFsLayout.V4_18));
        childWithMaxAndOomKill(fs418);
        assertThat(fs418.list("/")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.stat");
        assertThat(fs418.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "cgroup.stat", "memory.current", "memory.min", "memory.low",
                "memory.high", "memory.max", "memory.events", "memory.stat", "memory.swap.current",
                "memory.swap.max", "memory.swap.events");
        assertErrno(() -> fs418.read("/job/memory.events.local"), Errno.ENOENT);
        assertErrno(() -> fs418.write("/job/memory.oom.group", "1"), Errno.ENOENT);
        assertThat(fs418.read("/job/cgroup.events")).as("no frozen line").isEqualTo("populated 0\n");
        assertThat(fs418.read("/job/cgroup.stat")).isEqualTo("nr_descendants 1\nnr_dying_descendants 0\n");
        assertThat(fs418.read("/job/a/memory.events")).isEqualTo("low 0\nhigh 0\nmax 1\noom 0\noom_kill 1\n");
        assertThat(fs418.read("/job/memory.events")).as("the cgroup's own events only")
                .isEqualTo("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        fs418.rmdir("/job/a");
        fs418.rmdir("/job");
    }

    /** /job with memory for its children, and /job/a that counted a {@code max} and an {@code oom_kill}. */
    private static void childWithMaxAndOomKill(CgroupFs fs) {
        fs.mkdir("/job");
        fs.write("/job/cgroup.subtree_control", "+memory");
        MemCgroup a = fs.mkdir("/job/a");
        a.events().raise(MemcgEvent.MAX);
        a.events().raise(MemcgEvent.OOM_KILL);
    }

    @Test
    void memoryMaxTakesBytesWithSuffixesOrMaxAndPrintsBytes() {
        fs.mkdir("/job");
        assertThat(fs.read("/job/memory.max")).isEqualTo("max\n");
        fs.write("/job/memory.max", "16M\n");
        assertThat(fs.read("/job/memory.max")).isEqualTo("16777216\n");
        fs.write("/job/memory.max", "  8193 ");
        assertThat(fs.read("/job/memory.max")).as("rounded down to pages").isEqualTo("8192\n");
        fs.write("/job/memory.max", "1g");
        assertThat(fs.readLong("/job/memory.max")).isEqualTo(1L << 30);
        fs.write("/job/memory.max", "max");
        assertThat(fs.read("/job/memory.max")).isEqualTo("max\n");
        fs.write("/job/memory.high", "64K");
        assertThat(fs.read("/job/memory.high")).isEqualTo("65536\n");
        fs.rmdir("/job");
    }

    @Test
    void malformedWritesFailWithEinvalAndChangeNothing() {
        fs.mkdir("/job");
        fs.write("/job/memory.max", "1M");
        for (String bad : List.of("abc", "-1", "12MB", "1M 2M", "0x", "Max")) {
            assertErrno(() -> fs.write("/job/memory.max", bad), Errno.EINVAL);
            assertErrno(() -> fs.write("/job/memory.high", bad), Errno.EINVAL);
        }
        assertThat(fs.read("/job/memory.max")).isEqualTo("1048576\n");
        assertThat(fs.read("/job/memory.high")).isEqualTo("max\n");
        assertErrno(() -> fs.write("/job/memory.oom.group", "2"), Errno.EINVAL);
        assertErrno(() -> fs.write("/job/memory.oom.group", "yes"), Errno.EINVAL);
        assertErrno(() -> fs.write("/job/memory.oom.group", "4294967297"), Errno.ERANGE);
        assertThat(fs.read("/job/memory.oom.group")).isEqualTo("0\n");
        fs.write("/job/memory.oom.group", " 1\n");
        assertThat(fs.read("/job/memory.oom.group")).isEqualTo("1\n");
        fs.rmdir("/job");
    }

    @Test
    void readOnlyFilesRefuseWritesWithEacces() {
        fs.mkdir("/job");
        for (String file : List.of("memory.current", "memory.stat", "memory.events",
                "memory.events.local", "cgroup.events", "cgroup.controllers", "cgroup.stat",
                "memory.numa_stat", "memory.swap.current", "memory.swap.events")) {
            assertErrno(() -> fs.write("/job/" + file, "0"), Errno.EACCES);
        }
        CgroupFs fs510 = fs(boot(CgroupFsLayout.V5_10));
        assertErrno(() -> fs510.write("/memory.stat", "0"), Errno.EACCES);
        fs.rmdir("/job");
    }

    @Test
    void memoryCurrentIsTheCounterInBytesStockIncluded() {
        MemCgroup job = fs.mkdir("/job");
        m.charger.tryCharge(job, GFP_KERNEL, 3);
        assertThat(fs.read("/job/memory.current")).isEqualTo((64 * 4096) + "\n");
        m.charger.uncharge(job, 3);
        fs.write("/job/memory.max", "max");
        assertThat(fs.readLong("/job/memory.current")).isEqualTo(61 * 4096);
        fs.write("/job/memory.max", "1M");
        assertThat(fs.readLong("/job/memory.current")).as("usage fits: no drain").isEqualTo(61 * 4096);
        fs.write("/job/memory.max", "128K");
        assertThat(fs.readLong("/job/memory.current")).as("a limit below usage drains the stocks").isZero();
        assertThat(job.events().local(MemcgEvent.OOM)).isZero();
        fs.rmdir("/job");
    }

    @Test
    void controllersAndSubtreeControlFollowTheKernelsRules() {
        fs.mkdir("/job");
        fs.mkdir("/job/a");
        assertThat(fs.read("/cgroup.controllers")).isEqualTo("memory\n");
        assertThat(fs.read("/cgroup.subtree_control")).isEqualTo("memory\n");
        assertThat(fs.read("/job/cgroup.controllers")).isEqualTo("memory\n");
        assertThat(fs.read("/job/cgroup.subtree_control")).isEmpty();
        assertThat(fs.read("/job/a/cgroup.controllers")).as("an empty mask prints nothing").isEmpty();
        assertThat(fs.list("/job/a")).as("no memory controller files, PSI's only")
                .filteredOn(f -> f.startsWith("memory.")).containsExactly("memory.pressure");

        assertErrno(() -> fs.write("/job/cgroup.subtree_control", "memory"), Errno.EINVAL);
        assertErrno(() -> fs.write("/job/cgroup.subtree_control", "+cpu"), Errno.EINVAL);
        assertErrno(() -> fs.write("/job/a/cgroup.subtree_control", "+memory"), Errno.ENOENT);
        fs.write("/job/cgroup.subtree_control", "+memory");
        assertThat(fs.read("/job/cgroup.subtree_control")).isEqualTo("memory\n");
        assertThat(fs.read("/job/a/memory.current")).isEqualTo("0\n");
        fs.write("/job/a/cgroup.subtree_control", "+memory");
        assertErrno(() -> fs.write("/job/cgroup.subtree_control", "-memory"), Errno.EBUSY);
        fs.write("/job/a/cgroup.subtree_control", "-memory");
        fs.write("/job/cgroup.subtree_control", "+memory -memory");
        assertThat(fs.read("/job/cgroup.subtree_control")).as("the last token wins").isEmpty();
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void noInternalProcesses() {
        MemCgroup job = fs.mkdir("/job");
        fs.mkdir("/job/a");
        TaskStruct t = m.userTask("t", job);
        assertErrno(() -> fs.write("/job/cgroup.subtree_control", "+memory"), Errno.EBUSY);
        fs.write("/job/a/cgroup.procs", String.valueOf(t.pid()));
        fs.write("/job/cgroup.subtree_control", "+memory");
        assertErrno(() -> fs.write("/job/cgroup.procs", String.valueOf(t.pid())), Errno.EBUSY);
        m.tree.exit(t);
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void tasksChargeTheNearestCgroupWithAMemoryCss() {
        fs.mkdir("/job");
        MemCgroup a = fs.mkdir("/job/a");
        TaskStruct t = m.userTask("t", a);
        assertThat(m.tree.memcgOf(t).path()).isEqualTo("/job");
        assertThat(m.tree.cgroupOf(t)).isSameAs(a);
        m.tree.exit(t);
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void cgroupProcsMovesTasksByPid() {
        fs.mkdir("/job");
        TaskStruct t = m.userTask("t", m.tree.root());
        TaskStruct u = m.userTask("u", m.tree.root());
        fs.write("/job/cgroup.procs", t.pid() + "\n");
        fs.write("/job/cgroup.procs", String.valueOf(u.pid()));
        assertThat(fs.read("/job/cgroup.procs")).isEqualTo(t.pid() + "\n" + u.pid() + "\n");
        assertThat(fs.read("/job/cgroup.events")).isEqualTo("populated 1\nfrozen 0\n");
        assertErrno(() -> fs.write("/job/cgroup.procs", "abc"), Errno.EINVAL);
        assertErrno(() -> fs.write("/job/cgroup.procs", "-1"), Errno.EINVAL);
        assertErrno(() -> fs.write("/job/cgroup.procs", "99999"), Errno.ESRCH);
        try (var s = m.tasks.enter(t)) {
            fs.write("/cgroup.procs", "0");
        }
        assertThat(fs.read("/job/cgroup.procs")).isEqualTo(u.pid() + "\n");
        m.tree.exit(t);
        m.tree.exit(u);
        assertThat(fs.read("/job/cgroup.events")).startsWith("populated 0\n");
        fs.rmdir("/job");
    }

    @Test
    void cgroupStatCountsDyingDescendantsUntilReleased() {
        MemCgroup job = fs.mkdir("/job");
        MemCgroup a = fs.mkdir("/job/a");
        fs.write("/job/cgroup.subtree_control", "+memory");
        assertThat(fs.read("/job/cgroup.stat")).isEqualTo(
                "nr_descendants 1\nnr_subsys_memory 2\nnr_dying_descendants 0\nnr_dying_subsys_memory 0\n");
        a.cssGet(1);
        fs.rmdir("/job/a");
        assertThat(fs.read("/cgroup.stat")).isEqualTo(
                "nr_descendants 1\nnr_subsys_memory 2\nnr_dying_descendants 1\nnr_dying_subsys_memory 1\n");
        a.cssPut(1);
        assertThat(fs.read("/job/cgroup.stat")).contains("nr_dying_descendants 0\n");
        assertThat(job.isOnline()).isTrue();
        fs.rmdir("/job");
    }

    @Test
    void memoryEventsAreHierarchicalAndEventsLocalAreNot() {
        childWithMaxAndOomKill(fs);
        assertThat(fs.read("/job/memory.events"))
                .isEqualTo("low 0\nhigh 0\nmax 1\noom 0\noom_kill 1\noom_group_kill 0\n");
        assertThat(fs.read("/job/memory.events.local"))
                .isEqualTo("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        assertThat(fs.read("/job/a/memory.events.local"))
                .isEqualTo("low 0\nhigh 0\nmax 1\noom 0\noom_kill 1\noom_group_kill 0\n");
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void memoryStatIsTheEraLayout() {
        fs.mkdir("/job");
        assertThat(fs.read("/job/memory.stat")).startsWith("anon 0\nfile 0\nkernel 0\n")
                .isEqualTo(m.injector.getInstance(MemoryStat.class).show(m.tree.lookup("/job")));
        assertThat(m.injector.getInstance(MemoryStat.class).format()).isEqualTo(MemoryStatFormat.LATEST);
        fs.rmdir("/job");
    }

    @Test
    void statAndEventReadOneKeyOfTheErasFiles() {
        childWithMaxAndOomKill(fs);
        m.tree.lookup("/job/a").stats().mod(MemcgStatItem.NR_FILE_PAGES, 2);

        assertThat(fs.event("/job", "oom_kill")).isEqualTo(1);
        assertThat(fs.event("/job/a", "max")).isEqualTo(1);
        assertThat(fs.event("/job", "oom")).isZero();
        assertThat(fs.stat("/job", "file")).isEqualTo(2 * 4096);
        assertThat(fs.stat("/", "file")).as("the root's memory.stat counts the subtree").isEqualTo(2 * 4096);
        assertErrno(() -> fs.stat("/job", "filee"), Errno.ENOENT);
        assertErrno(() -> fs.event("/job", "oom_group_kil"), Errno.ENOENT);
        assertErrno(() -> fs.event("/", "oom"), Errno.ENOENT);
        assertErrno(() -> fs.stat("/nowhere", "file"), Errno.ENOENT);

        CgroupFs fs48 = fs(boot(CgroupFsLayout.V4_8));
        fs48.mkdir("/job");
        assertErrno(() -> fs48.event("/job", "oom_kill"), Errno.ENOENT);

        m.tree.lookup("/job/a").stats().mod(MemcgStatItem.NR_FILE_PAGES, -2);
        fs48.rmdir("/job");
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void memoryPeakIsResetPerOpenFile() {
        MemCgroup job = fs.mkdir("/job");
        m.charger.tryCharge(job, GFP_KERNEL, 100);
        m.charger.uncharge(job, 100);
        m.stock.drainAll(job);
        assertThat(fs.readLong("/job/memory.peak")).isEqualTo(100 * 4096);
        try (CgroupFile mine = fs.open("/job/memory.peak"); CgroupFile other = fs.open("/job/memory.peak")) {
            mine.write("reset");
            assertThat(mine.read()).isEqualTo("0\n");
            assertThat(other.read()).as("an untouched handle shows the global peak").isEqualTo(409600 + "\n");
            m.charger.tryCharge(job, GFP_KERNEL, 70);
            m.charger.uncharge(job, 70);
            m.stock.drainAll(job);
            assertThat(mine.read()).isEqualTo(70 * 4096 + "\n");
            m.charger.tryCharge(job, GFP_KERNEL, 1);
            other.write("");
            assertThat(other.read()).isEqualTo(64 * 4096 + "\n");
            assertThat(mine.read()).as("peak_write raises peers only to the current usage")
                    .isEqualTo(64 * 4096 + "\n");
            m.charger.uncharge(job, 1);
        }
        assertThat(fs.readLong("/job/memory.peak")).isEqualTo(100 * 4096);
        fs.rmdir("/job");
    }

    @Test
    void handlesOfARemovedCgroupFailWithEnodev() {
        fs.mkdir("/job");
        CgroupFile f = fs.open("/job/memory.max");
        fs.rmdir("/job");
        assertErrno(f::read, Errno.ENODEV);
        assertErrno(() -> f.write("1M"), Errno.ENODEV);
        f.close();
    }

    @Test
    void mkdirAndRmdirErrnos() {
        fs.mkdir("/job");
        assertErrno(() -> fs.mkdir("/job"), Errno.EEXIST);
        assertErrno(() -> fs.mkdir("/no/such"), Errno.ENOENT);
        assertErrno(() -> fs.rmdir("/no"), Errno.ENOENT);
        fs.mkdir("/job/a");
        assertErrno(() -> fs.rmdir("/job"), Errno.EBUSY);
        fs.rmdir("/job/a/");
        fs.rmdir("job");
    }

    @Test
    void mkdirOfATakenNameIsEexistAndNamesThePathOnce() {
        fs.mkdir("/job");
        fs.mkdir("/job/a");
        assertThatThrownBy(() -> fs.mkdir("/job")).hasMessage("EEXIST: mkdir /job");
        assertThatThrownBy(() -> fs.mkdir("//job/a/")).hasMessage("EEXIST: mkdir /job/a");
        for (String taken : List.of("/", "//", "/job/memory.max", "/job/cgroup.procs", "/cgroup.procs",
                "/memory.stat", "/job/a/cgroup.controllers", "/job/.", "/job/a/..")) {
            assertErrno(() -> fs.mkdir(taken), Errno.EEXIST);
        }
        assertThatThrownBy(() -> fs.mkdir("/job/memory.max")).hasMessage("EEXIST: mkdir /job/memory.max");
        assertErrno(() -> fs.mkdir("/job/b\nc"), Errno.EINVAL);
        assertErrno(() -> fs.mkdir("/nope/."), Errno.ENOENT);
        assertThat(fs.list("/job")).contains("memory.max", "cgroup.procs");
        assertThat(fs.mkdir("/job/a/memory.max").path()).as("/job/a has no memory files")
                .isEqualTo("/job/a/memory.max");
        assertThat(fs.mkdir("/memory.current").path()).as("the root has no memory.current")
                .isEqualTo("/memory.current");
        fs.rmdir("/memory.current");
        fs.rmdir("/job/a/memory.max");
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void readLongOfMaxIsEinvalAndReadLimitReadsItAsNoLimit() {
        fs.mkdir("/job");
        assertThatThrownBy(() -> fs.readLong("/job/memory.max")).isInstanceOf(ErrnoException.class)
                .hasMessage("EINVAL: /job/memory.max holds 'max', not a number (readLimit reads a limit)");
        assertThat(fs.readLimit("/job/memory.max")).isEmpty();
        fs.write("/job/memory.max", "1M");
        assertThat(fs.readLimit("/job/memory.max")).hasValue(1L << 20);
        assertThat(fs.readLong("/job/memory.max")).isEqualTo(1L << 20);
        assertErrno(() -> fs.readLong("/job/memory.stat"), Errno.EINVAL);
        assertErrno(() -> fs.readLimit("/job/memory.events"), Errno.EINVAL);
        fs.rmdir("/job");
    }

    @Test
    void protectionsAndSwapLimitsTakeSizesOrMaxAndKeepTheirValueOnABadWrite() {
        fs.mkdir("/job");
        assertThat(fs.read("/job/memory.min")).isEqualTo("0\n");
        assertThat(fs.read("/job/memory.low")).isEqualTo("0\n");
        assertThat(fs.read("/job/memory.swap.max")).isEqualTo("max\n");
        assertThat(fs.read("/job/memory.swap.high")).isEqualTo("max\n");
        fs.write("/job/memory.min", "1M\n");
        fs.write("/job/memory.low", "max");
        fs.write("/job/memory.swap.max", "0x2000");
        fs.write("/job/memory.swap.high", " 8191 ");
        for (String bad : List.of("abc", "-1", "12MB", "1M 2M", "Max")) {
            for (String file : List.of("memory.min", "memory.low", "memory.swap.max", "memory.swap.high")) {
                assertErrno(() -> fs.write("/job/" + file, bad), Errno.EINVAL);
            }
        }
        assertThat(fs.read("/job/memory.min")).isEqualTo("1048576\n");
        assertThat(fs.read("/job/memory.low")).isEqualTo("max\n");
        assertThat(fs.readLimit("/job/memory.swap.max")).hasValue(8192);
        assertThat(fs.read("/job/memory.swap.high")).as("rounded down to pages").isEqualTo("4096\n");
        assertThat(fs.read("/job/memory.max")).as("protections are not limits").isEqualTo("max\n");
        fs.rmdir("/job");
    }

    @Test
    void swapFilesShowTheSwapCounterAndItsEventsPerEra() {
        CgroupFs fs418 = fs(boot(CgroupFsLayout.V4_18));
        for (CgroupFs f : List.of(fs, fs418)) {
            MemCgroup a = f.mkdir("/job");
            f.write("/job/cgroup.subtree_control", "+memory");
            f.mkdir("/job/a").events().raise(MemcgEvent.SWAP_MAX);
            a.events().raise(MemcgEvent.SWAP_FAIL);
            assertThat(f.readLong("/job/memory.swap.current")).as("nothing swaps out").isZero();
        }
        assertThat(fs.read("/job/memory.swap.events")).as("the subtree's events")
                .isEqualTo("high 0\nmax 1\nfail 1\n");
        assertThat(fs.read("/job/a/memory.swap.events")).isEqualTo("high 0\nmax 1\nfail 0\n");
        assertThat(fs.read("/job/memory.events")).as("swap events are not memory events")
                .isEqualTo("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        assertThat(fs418.read("/job/memory.swap.events")).as("4.18: no high, the cgroup's own")
                .isEqualTo("max 0\nfail 1\n");
        for (CgroupFs f : List.of(fs, fs418)) {
            f.rmdir("/job/a");
            f.rmdir("/job");
        }
    }

    @Test
    void swapPeakIsResetPerOpenFileLikeMemoryPeak() {
        MemCgroup job = fs.mkdir("/job");
        try (CgroupFile mine = fs.open("/job/memory.swap.peak")) {
            job.swap().charge(3);
            job.swap().uncharge(2);
            assertThat(mine.read()).isEqualTo(3 * 4096 + "\n");
            mine.write("reset");
            assertThat(mine.read()).isEqualTo(4096 + "\n");
            assertThat(fs.readLong("/job/memory.swap.peak")).isEqualTo(3 * 4096);
            assertThat(fs.readLong("/job/memory.peak")).as("memory's own peak").isZero();
            job.swap().uncharge(1);
        }
        fs.rmdir("/job");
    }

    @Test
    void numaStatShowsTheNodeItemsOfMemoryStatOnNodeZero() {
        MemCgroup job = fs.mkdir("/job");
        job.stats().mod(MemcgStatItem.NR_FILE_PAGES, 2);
        job.stats().mod(MemcgStatItem.NR_SLAB_RECLAIMABLE_B, 100);
        job.stats().mod(MemcgStatItem.MEMCG_SOCK, 1);
        String text = fs.read("/job/memory.numa_stat");
        assertThat(text.lines().map(l -> l.substring(0, l.indexOf(' ')))).containsExactly("anon", "file",
                "kernel_stack", "pagetables", "sec_pagetables", "shmem", "file_mapped", "file_dirty",
                "file_writeback", "swapcached", "inactive_anon", "active_anon", "inactive_file",
                "active_file", "unevictable", "slab_reclaimable", "slab_unreclaimable",
                "workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon",
                "workingset_activate_file", "workingset_restore_anon", "workingset_restore_file",
                "workingset_nodereclaim", "pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged");
        assertThat(text).startsWith("anon N0=0\nfile N0=8192\n").contains("\nslab_reclaimable N0=100\n");
        assertThat(fs.read("/job/memory.stat")).contains("\nfile 8192\n", "\nsock 4096\n");
        assertThat(fs.read("/memory.numa_stat")).as("the root's counts the subtree")
                .startsWith("anon N0=0\nfile N0=8192\n");
        job.stats().mod(MemcgStatItem.NR_FILE_PAGES, -2);
        job.stats().mod(MemcgStatItem.NR_SLAB_RECLAIMABLE_B, -100);
        job.stats().mod(MemcgStatItem.MEMCG_SOCK, -1);
        fs.rmdir("/job");
    }

    @Test
    void memoryReclaimOfAnythingIsEagainAndBadRequestsAreEinval() {
        MemCgroup job = fs.mkdir("/job");
        m.charger.tryCharge(job, GFP_KERNEL, 3);
        for (String nothing : List.of("0", "4095", " 0 swappiness=200\n", "0   swappiness=0 ", "K")) {
            fs.write("/job/memory.reclaim", nothing);
        }
        for (String some : List.of("4096", "1M", "1M swappiness=60", "1Mswappiness=0", "0x1000")) {
            assertErrno(() -> fs.write("/job/memory.reclaim", some), Errno.EAGAIN);
        }
        assertErrno(() -> fs.write("/memory.reclaim", "1G"), Errno.EAGAIN);
        for (String bad : List.of("", "max", "swappiness=5", "1M foo", "1M swappiness=201",
                "1M swappiness=-1", "1M swappiness=+5", "1M swappiness=", "1M swappiness=5x", "1M\tswappiness")) {
            assertErrno(() -> fs.write("/job/memory.reclaim", bad), Errno.EINVAL);
        }
        assertErrno(() -> fs.read("/job/memory.reclaim"), Errno.EACCES);
        assertThat(fs.readLong("/job/memory.current")).as("nothing was reclaimed").isEqualTo(64 * 4096);
        m.charger.uncharge(job, 3);
        fs.rmdir("/job");
    }

    private static final String NO_PRESSURE = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
            + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

    @Test
    void memoryPressureNeverStallsAndIsInEveryCgroup() {
        fs.mkdir("/job");
        fs.mkdir("/job/a");
        assertThat(fs.list("/job/a")).as("a PSI file, not a memory controller file")
                .contains("memory.pressure").doesNotContain("memory.current");
        for (String cgroup : List.of("", "/job", "/job/a")) {
            assertThat(fs.read(cgroup + "/memory.pressure")).isEqualTo(NO_PRESSURE);
        }
        fs.rmdir("/job/a");
        fs.rmdir("/job");
    }

    @Test
    void pressureTriggersAreCheckedPerEra() {
        CgroupFs fs59 = fs(boot(CgroupFsLayout.V5_9));
        for (CgroupFs f : List.of(fs, fs59)) {
            f.mkdir("/job");
            for (String bad : List.of("", "some", "some 150000", "medium 1 1000000", "some 0 1000000",
                    "some 2000000 1000000", "full 1 10000001", " some 1 1000000", "some -1 1000000")) {
                assertErrno(() -> f.write("/job/memory.pressure", bad), Errno.EINVAL);
            }
            f.write("/job/memory.pressure", "some 150000 1000000\n");
            f.write("/job/memory.pressure", "full150000 1000000 and more");
        }
        assertErrno(() -> fs59.write("/job/memory.pressure", "some 1000 100000"), Errno.EINVAL);
        try (CgroupFile f = fs.open("/job/memory.pressure"); CgroupFile g = fs59.open("/job/memory.pressure")) {
            f.write("some 1000 100000");
            assertErrno(() -> f.write("some 150000 1000000"), Errno.EBUSY);
            g.write("some 150000 1000000");
            g.write("full 150000 1000000");
            assertThat(f.read()).isEqualTo(NO_PRESSURE);
        }
        fs.rmdir("/job");
        fs59.rmdir("/job");
    }
}
