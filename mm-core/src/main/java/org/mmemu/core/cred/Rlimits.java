package org.mmemu.core.cred;

import java.util.Arrays;

/**
 * A task's resource limits ({@code signal->rlim}, {@code struct rlimit} per resource of
 * include/uapi/asm-generic/resource.h): a soft ({@code rlim_cur}) and a hard ({@code rlim_max})
 * value each, {@link #RLIM_INFINITY} for none. Copied on fork ({@code copy_signal}); changed
 * through {@link Prlimit}.
 */
public final class Rlimits {
    /** {@code RLIMIT_STACK}. */
    public static final int RLIMIT_STACK = 3;
    /** {@code RLIMIT_CORE}. */
    public static final int RLIMIT_CORE = 4;
    /** {@code RLIMIT_NPROC}. */
    public static final int RLIMIT_NPROC = 6;
    /** {@code RLIMIT_NOFILE}: one more than the highest fd a task may open. */
    public static final int RLIMIT_NOFILE = 7;
    /** {@code RLIMIT_MEMLOCK}: bytes of memory a task (its user, for BPF) may lock. */
    public static final int RLIMIT_MEMLOCK = 8;
    /** {@code RLIMIT_SIGPENDING}. */
    public static final int RLIMIT_SIGPENDING = 11;
    /** {@code RLIMIT_MSGQUEUE}. */
    public static final int RLIMIT_MSGQUEUE = 12;
    /** {@code RLIMIT_NICE}. */
    public static final int RLIMIT_NICE = 13;
    /** {@code RLIMIT_RTPRIO}. */
    public static final int RLIMIT_RTPRIO = 14;
    /** {@code RLIM_NLIMITS} (with {@code RLIMIT_RTTIME}, 15). */
    public static final int RLIM_NLIMITS = 16;
    /** {@code RLIM_INFINITY}: {@code ~0UL}, no limit (compare unsigned). */
    public static final long RLIM_INFINITY = -1L;

    private final long[] cur = new long[RLIM_NLIMITS];
    private final long[] max = new long[RLIM_NLIMITS];

    /** Every limit infinite. */
    Rlimits() {
        Arrays.fill(cur, RLIM_INFINITY);
        Arrays.fill(max, RLIM_INFINITY);
    }

    private Rlimits(Rlimits from) {
        synchronized (from) {
            System.arraycopy(from.cur, 0, cur, 0, RLIM_NLIMITS);
            System.arraycopy(from.max, 0, max, 0, RLIM_NLIMITS);
        }
    }

    /** The child's copy, as {@code copy_signal} copies {@code signal->rlim}. */
    public Rlimits copy() {
        return new Rlimits(this);
    }

    /** {@code rlimit(resource)}: the soft limit. */
    public synchronized long cur(int resource) {
        return cur[resource];
    }

    /** {@code rlimit_max(resource)}: the hard limit. */
    public synchronized long max(int resource) {
        return max[resource];
    }

    /** Sets both limits, unchecked (boot defaults and {@link Prlimit} after its checks). */
    synchronized void set(int resource, long soft, long hard) {
        cur[resource] = soft;
        max[resource] = hard;
    }

    @Override
    public synchronized String toString() {
        return "rlimits(nofile " + cur[RLIMIT_NOFILE] + "/" + max[RLIMIT_NOFILE]
                + ", memlock " + cur[RLIMIT_MEMLOCK] + "/" + max[RLIMIT_MEMLOCK] + ")";
    }
}
