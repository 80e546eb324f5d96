package org.mmemu.it.selftests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.it.selftests.CgroupUtil.readStrcmp;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;

/**
 * {@code tools/testing/selftests/cgroup/test_core.c}, the cases of the cgroup tree: the
 * controller's top-down and no-internal-process rules, {@code populated} in cgroup.events, and
 * removing a cgroup its process has left. As the selftest's {@code main} does, memory is enabled
 * in the root's subtree_control (the emulator boots so). Every era has cgroup.procs,
 * cgroup.events and cgroup.subtree_control, so each case runs in all of them. The process the
 * selftest moves ({@code cg_enter_current}) is a spawned task here.
 *
 * <p>Not ported: {@code test_cgcore_no_internal_process_constraint_on_threads},
 * {@code parent_becomes_threaded}, {@code invalid_domain}, {@code proc_migration} and
 * {@code thread_migration}, because the emulator has neither cgroup.type (threaded cgroups),
 * threads (cgroup.threads) nor the cpu controller.
 */
class SelftestCoreTest {
    private static void assertErrno(Errno errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    /** {@code test_cgcore_internal_process_constraint}: no process joins a parent that enables memory. */
    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testCgcoreInternalProcessConstraint(Kernel k) {
        k.cgroupfs().mkdir("/cg_test_parent");
        k.cgroupfs().mkdir("/cg_test_parent/cg_test_child");
        k.cgroupfs().write("/cg_test_parent/cgroup.subtree_control", "+memory");
        Task t = k.spawn("/");

        assertErrno(Errno.EBUSY, () -> t.moveTo("/cg_test_parent"));
        assertThat(k.cgroupfs().read("/cg_test_parent/cgroup.procs")).isEmpty();
    }

    /** {@code test_cgcore_top_down_constraint_enable}: a child cannot enable what its parent does not. */
    @Eras(memory = "64M")
    void testCgcoreTopDownConstraintEnable(Kernel k) {
        k.cgroupfs().mkdir("/cg_test_parent");
        k.cgroupfs().mkdir("/cg_test_parent/cg_test_child");

        assertErrno(Errno.ENOENT, () -> k.cgroupfs().write("/cg_test_parent/cg_test_child/cgroup.subtree_control",
                "+memory"));
        assertThat(k.cgroupfs().read("/cg_test_parent/cg_test_child/cgroup.subtree_control")).isEmpty();
    }

    /** {@code test_cgcore_top_down_constraint_disable}: a parent cannot disable what a child enables. */
    @Eras(memory = "64M")
    void testCgcoreTopDownConstraintDisable(Kernel k) {
        k.cgroupfs().mkdir("/cg_test_parent");
        k.cgroupfs().mkdir("/cg_test_parent/cg_test_child");
        k.cgroupfs().write("/cg_test_parent/cgroup.subtree_control", "+memory");
        k.cgroupfs().write("/cg_test_parent/cg_test_child/cgroup.subtree_control", "+memory");

        assertErrno(Errno.EBUSY, () -> k.cgroupfs().write("/cg_test_parent/cgroup.subtree_control", "-memory"));
        assertThat(k.cgroupfs().read("/cg_test_parent/cgroup.subtree_control")).isEqualTo("memory\n");
    }

    /**
     * {@code test_cgcore_populated}: A - B - C holding one process, and D beside C; A, B and C
     * are populated and D is not, until the process moves to the root.
     */
    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testCgcorePopulated(Kernel k) {
        String a = "/cg_test_a";
        String b = a + "/cg_test_b";
        String c = b + "/cg_test_c";
        String d = b + "/cg_test_d";
        for (String cg : new String[] {a, b, c, d}) {
            k.cgroupfs().mkdir(cg);
        }
        Task t = k.spawn("/");
        t.moveTo(c);

        assertThat(readStrcmp(k, a, "cgroup.events", "populated 1\n")).isTrue();
        assertThat(readStrcmp(k, b, "cgroup.events", "populated 1\n")).isTrue();
        assertThat(readStrcmp(k, c, "cgroup.events", "populated 1\n")).isTrue();
        assertThat(readStrcmp(k, d, "cgroup.events", "populated 0\n")).isTrue();

        t.moveTo("/");

        for (String cg : new String[] {a, b, c, d}) {
            assertThat(readStrcmp(k, cg, "cgroup.events", "populated 0\n")).as(cg).isTrue();
        }
    }

    /**
     * {@code test_cgcore_destroy}, ten rounds: a process in the cgroup, all its processes
     * killed, cgroup.procs empty, then the cgroup is removed. The selftest's process touches
     * 100M of anon memory, which the emulator does not charge; its page tables are charged.
     */
    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testCgcoreDestroy(Kernel k) {
        for (int i = 0; i < 10; i++) {
            k.cgroupfs().mkdir("/cg_test");
            Task t = k.spawn("/cg_test");
            assertThat(k.cgroupfs().read("/cg_test/cgroup.procs").lines()).hasSize(1);

            t.kill();

            assertThat(k.cgroupfs().read("/cg_test/cgroup.procs")).isEmpty();
            k.cgroupfs().rmdir("/cg_test");
            assertThat(t.isAlive()).isFalse();
        }
    }
}
