package org.mmemu.it.selftests;

import org.mmemu.kernel.Kernel;

/**
 * The comparisons of the selftests' {@code cgroup_util.c}, with the kernel's own arithmetic, for
 * the ports to assert exactly what the selftests assert.
 */
final class CgroupUtil {
    private CgroupUtil() {
    }

    /**
     * {@code values_close(a, b, err)}: {@code a} and {@code b} differ by at most {@code err}
     * percent of their sum, in integer arithmetic ({@code (a + b) / 100 * err}).
     */
    static boolean valuesClose(long a, long b, int err) {
        return Math.abs(a - b) <= (a + b) / 100 * err;
    }

    /**
     * {@code cg_read_strcmp(cgroup, control, expected) == 0}: it reads only
     * {@code strlen(expected)} bytes, so a file matches when it starts with {@code expected}
     * ({@code "populated 1\n"} matches a cgroup.events that has a {@code frozen} line after it);
     * the empty string matches only an empty file.
     */
    static boolean readStrcmp(Kernel k, String cgroup, String control, String expected) {
        String text = k.cgroupfs().read(cgroup + "/" + control);
        return expected.isEmpty() ? text.isEmpty() : text.startsWith(expected);
    }
}
