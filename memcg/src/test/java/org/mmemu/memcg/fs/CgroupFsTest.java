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
                "cgroup.procs", "cgroup.stat", "memory.stat");
        assertThat(fs.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "cgroup.stat", "memory.current", "memory.peak",
                "memory.max", "memory.high", "memory.stat", "memory.events", "memory.events.local",
                "memory.oom.group");
        assertErrno(() -> fs.read("/memory.current"), Errno.ENOENT);
        assertErrno(() -> fs.read("/job/memory.swap.max"), Errno.ENOENT);
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
                "cgroup.procs", "cgroup.events", "memory.current", "memory.max", "memory.high",
                "memory.stat", "memory.events");
        assertThat(fs48.list("/")).doesNotContain("memory.stat");
        assertThat(fs48.read("/job/memory.events")).isEqualTo("low 0\nhigh 0\nmax 0\noom 0\n");
        assertThat(fs48.read("/job/cgroup.events")).isEqualTo("populated 0\n");
        assertThat(fs510.list("/job")).doesNotContain("memory.peak").contains("memory.events.local");
        assertThat(fs510.read("/job/memory.events")).isEqualTo("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        assertThat(fs510.read("/job/cgroup.stat")).isEqualTo("nr_descendants 0\nnr_dying_descendants 0\n");
        fs48.rmdir("/job");
        fs510.rmdir("/job");
    }

    @Test
    void filesOf418() {
        CgroupFs fs418 = fs(boot(CgroupFsLayout.V4_18));
        childWithMaxAndOomKill(fs418);
        assertThat(fs418.list("/")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.stat");
        assertThat(fs418.list("/job")).containsExactly("cgroup.controllers", "cgroup.subtree_control",
                "cgroup.procs", "cgroup.events", "cgroup.stat", "memory.current", "memory.max", "memory.high",
                "memory.stat", "memory.events");
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
                "memory.events.local", "cgroup.events", "cgroup.controllers", "cgroup.stat")) {
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
        assertThat(fs.list("/job/a")).noneMatch(f -> f.startsWith("memory."));

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
                "/memory.stat", "/job/a/cgroup.controllers")) {
            assertErrno(() -> fs.mkdir(taken), Errno.EEXIST);
        }
        assertThatThrownBy(() -> fs.mkdir("/job/memory.max")).hasMessage("EEXIST: mkdir /job/memory.max");
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
}
