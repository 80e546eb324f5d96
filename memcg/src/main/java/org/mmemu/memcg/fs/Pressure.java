package org.mmemu.memcg.fs;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/**
 * memory.pressure, the memory PSI file every cgroup has from 4.20 with {@code CONFIG_PSI}
 * (kernel/sched/psi.c {@code psi_show}, {@code psi_trigger_create}; kernel/cgroup/cgroup.c
 * {@code cgroup_pressure_write}).
 *
 * <p>PSI never stalls here: no emulated task ever waits for memory (nothing reclaims, swaps or
 * throttles), so every average and total reads 0. A write sets up a trigger as the kernel parses
 * and checks it; the trigger never fires, poll is not emulated, and its kmalloc is not made.
 */
enum Pressure {
    /** 5.9 to 5.11: a window of 500 ms to 10 s; a second write replaces the file's trigger. */
    V5(500_000, false),
    /**
     * 6.13: any window up to 10 s (the writer counts as privileged: the 2 s multiples asked of
     * writers without {@code CAP_SYS_RESOURCE} are not checked); one trigger per open file, so a
     * second write is {@code EBUSY}.
     */
    V6_13(1, true);

    /** {@code WINDOW_MAX_US}. */
    static final long WINDOW_MAX_US = 10_000_000;

    private final long windowMinUs;
    private final boolean onePerFile;

    Pressure(long windowMinUs, boolean onePerFile) {
        this.windowMinUs = windowMinUs;
        this.onePerFile = onePerFile;
    }

    /** {@code psi_show(PSI_MEM)} of a group that never stalled: averages 0.00, total 0 us. */
    static String show() {
        return line("some") + line("full");
    }

    private static String line(String kind) {
        return kind + " avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
    }

    /**
     * A trigger write on {@code f}: {@code "some|full <threshold us> <window us>"}, read as
     * {@code sscanf} reads it (digits only, anything after the second number ignored).
     *
     * @throws ErrnoException {@code EINVAL} for anything else or a window or threshold out of
     *         range, {@code EBUSY} where the file already has a trigger and the era keeps one
     */
    void trigger(CgroupFile f, String buf) {
        if (onePerFile && f.hasPsiTrigger()) {
            throw new ErrnoException(Errno.EBUSY, f + " already has a trigger");
        }
        long[] some = scan(buf, "some");
        long[] args = some != null ? some : scan(buf, "full");
        if (args == null) {
            throw new ErrnoException(Errno.EINVAL, "not a PSI trigger: '" + buf.strip() + "'");
        }
        long threshold = args[0];
        long window = args[1];
        if (window < windowMinUs || window > WINDOW_MAX_US || threshold == 0 || threshold > window) {
            throw new ErrnoException(Errno.EINVAL, "PSI trigger out of range: threshold " + threshold
                    + "us, window " + window + "us");
        }
        f.setPsiTrigger();
    }

    /**
     * {@code sscanf(buf, "<kind> %u %u", ...) == 2}: the literal, then two unsigned decimal
     * numbers, each after optional white space, cut to 32 bits; null when it does not match.
     */
    private static long[] scan(String buf, String kind) {
        if (!buf.startsWith(kind)) {
            return null;
        }
        long[] values = new long[2];
        int i = kind.length();
        for (int n = 0; n < 2; n++) {
            while (i < buf.length() && isSpace(buf.charAt(i))) {
                i++;
            }
            if (i == buf.length() || !isDigit(buf.charAt(i))) {
                return null;
            }
            long v = 0;
            for (; i < buf.length() && isDigit(buf.charAt(i)); i++) {
                v = v * 10 + buf.charAt(i) - '0';
            }
            values[n] = v & 0xffff_ffffL;
        }
        return values;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code isspace} of the kernel's ctype: space, \t, \n, \v, \f, \r. */
    private static boolean isSpace(char c) {
        return c == ' ' || c >= '\t' && c <= '\r';
    }
}
