package org.mmemu.core.cred;

/**
 * The boot-time limits of init, which every task inherits ({@code INIT_RLIMITS},
 * include/asm-generic/resource.h): a policy, because {@code MLOCK_LIMIT}
 * (include/uapi/linux/resource.h) changed.
 *
 * <pre>
 *  policy               eras     RLIMIT_MEMLOCK            RLIMIT_NOFILE
 *  rlimit.Mlock64K      -5.15    64 KiB / 64 KiB           1024 / 4096 (INR_OPEN_CUR / _MAX)
 *  rlimit.Mlock8M       5.16-    8 MiB / 8 MiB             1024 / 4096
 * </pre>
 *
 * <p>64 KiB is {@code max(PAGE_SIZE, 64K)}, "what GPG2 wants"; 5.16 raised it to 8 MiB for
 * io_uring's registered buffers (commit 9dcc38e2813e, "Increase default MLOCK_LIMIT to 8 MiB"). The other limits are {@code INIT_RLIMITS}' (stack 8 MiB soft,
 * core 0 soft, nproc, sigpending, nice and rtprio 0, msgqueue {@code MQ_BYTES_MAX}, the rest
 * infinite); the kernel raises nproc and sigpending at boot from the memory size, which the
 * emulator does not.
 */
public interface InitRlimits {
    /** {@code INR_OPEN_CUR}: the soft {@code RLIMIT_NOFILE}. */
    long INR_OPEN_CUR = 1024;
    /** {@code INR_OPEN_MAX}: the hard {@code RLIMIT_NOFILE}. */
    long INR_OPEN_MAX = 4096;
    /** {@code _STK_LIM}. */
    long STK_LIM = 8L * 1024 * 1024;
    /** {@code MQ_BYTES_MAX}. */
    long MQ_BYTES_MAX = 819200;

    /** The policy's dotted name. */
    String policyName();

    /** {@code MLOCK_LIMIT}: the soft and hard {@code RLIMIT_MEMLOCK}, in bytes. */
    long mlockLimit();

    /** init's limits ({@code init_task.signal->rlim}). */
    default Rlimits initRlimits() {
        Rlimits r = new Rlimits();
        r.set(Rlimits.RLIMIT_STACK, STK_LIM, Rlimits.RLIM_INFINITY);
        r.set(Rlimits.RLIMIT_CORE, 0, Rlimits.RLIM_INFINITY);
        r.set(Rlimits.RLIMIT_NPROC, 0, 0);
        r.set(Rlimits.RLIMIT_NOFILE, INR_OPEN_CUR, INR_OPEN_MAX);
        r.set(Rlimits.RLIMIT_MEMLOCK, mlockLimit(), mlockLimit());
        r.set(Rlimits.RLIMIT_SIGPENDING, 0, 0);
        r.set(Rlimits.RLIMIT_MSGQUEUE, MQ_BYTES_MAX, MQ_BYTES_MAX);
        r.set(Rlimits.RLIMIT_NICE, 0, 0);
        r.set(Rlimits.RLIMIT_RTPRIO, 0, 0);
        return r;
    }

    /** The defaults the kernel has had. */
    enum Eras implements InitRlimits {
        /** Up to 5.15: {@code MLOCK_LIMIT} is 64 KiB (a page where pages are larger). */
        MLOCK_64K("rlimit.Mlock64K", 64L * 1024),
        /** 5.16 and later: {@code MLOCK_LIMIT} is 8 MiB. */
        MLOCK_8M("rlimit.Mlock8M", 8L * 1024 * 1024);

        private final String policyName;
        private final long mlockLimit;

        Eras(String policyName, long mlockLimit) {
            this.policyName = policyName;
            this.mlockLimit = mlockLimit;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public long mlockLimit() {
            return mlockLimit;
        }
    }
}
