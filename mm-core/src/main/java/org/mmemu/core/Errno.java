package org.mmemu.core;

/**
 * The errno values the emulated paths return (as negative ints, the kernel's way) or that the
 * syscall facade throws. Values are those of x86-64 Linux (include/uapi/asm-generic/errno-base.h).
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13),
    EFAULT(14), EBUSY(16), EEXIST(17), ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23),
    EMFILE(24), ENOSPC(28), ESPIPE(29), EPIPE(32), ERANGE(34), EOPNOTSUPP(95), EMSGSIZE(90),
    ENOTCONN(107),
    ENODEV(19);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    /** The positive errno number. */
    public int value() {
        return value;
    }

    /** The kernel's return convention: {@code -value}. */
    public int negative() {
        return -value;
    }

    /** The errno whose negative is {@code ret}, as a kernel function returned it. */
    public static Errno fromNegative(int ret) {
        for (Errno e : values()) {
            if (e.value == -ret) {
                return e;
            }
        }
        throw new IllegalArgumentException("not a negative errno: " + ret);
    }
}
