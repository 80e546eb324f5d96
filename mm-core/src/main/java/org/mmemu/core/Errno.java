package org.mmemu.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An errno value, as the emulated paths return it (negative, the kernel's way) or as the syscall
 * facade throws it. The named ones carry the numbers of x86-64 Linux
 * ({@code include/uapi/asm-generic/errno-base.h}, {@code errno.h}, and the kernel-internal
 * {@code include/linux/errno.h} for {@link #ENOTSUPP}). Any other number is still an errno:
 * {@link #of} gives it a value named {@code E<n>}, so a kernel function that returns something
 * the emulator has not named is reported as it returned it, never refused.
 */
public final class Errno {
    private static final Map<Integer, Errno> NAMED = new LinkedHashMap<>();

    public static final Errno EPERM = named("EPERM", 1);
    public static final Errno ENOENT = named("ENOENT", 2);
    public static final Errno ESRCH = named("ESRCH", 3);
    public static final Errno EINTR = named("EINTR", 4);
    public static final Errno EIO = named("EIO", 5);
    public static final Errno E2BIG = named("E2BIG", 7);
    public static final Errno EBADF = named("EBADF", 9);
    public static final Errno ECHILD = named("ECHILD", 10);
    /** Also {@code EWOULDBLOCK}. */
    public static final Errno EAGAIN = named("EAGAIN", 11);
    public static final Errno ENOMEM = named("ENOMEM", 12);
    public static final Errno EACCES = named("EACCES", 13);
    public static final Errno EFAULT = named("EFAULT", 14);
    public static final Errno EBUSY = named("EBUSY", 16);
    public static final Errno EEXIST = named("EEXIST", 17);
    public static final Errno EXDEV = named("EXDEV", 18);
    public static final Errno ENODEV = named("ENODEV", 19);
    public static final Errno ENOTDIR = named("ENOTDIR", 20);
    public static final Errno EISDIR = named("EISDIR", 21);
    public static final Errno EINVAL = named("EINVAL", 22);
    public static final Errno ENFILE = named("ENFILE", 23);
    public static final Errno EMFILE = named("EMFILE", 24);
    public static final Errno ENOTTY = named("ENOTTY", 25);
    public static final Errno EFBIG = named("EFBIG", 27);
    public static final Errno ENOSPC = named("ENOSPC", 28);
    public static final Errno ESPIPE = named("ESPIPE", 29);
    public static final Errno EROFS = named("EROFS", 30);
    public static final Errno EPIPE = named("EPIPE", 32);
    public static final Errno ERANGE = named("ERANGE", 34);
    public static final Errno ENOSYS = named("ENOSYS", 38);
    public static final Errno ENOTEMPTY = named("ENOTEMPTY", 39);
    public static final Errno EOVERFLOW = named("EOVERFLOW", 75);
    public static final Errno ENOTSOCK = named("ENOTSOCK", 88);
    public static final Errno EDESTADDRREQ = named("EDESTADDRREQ", 89);
    public static final Errno EMSGSIZE = named("EMSGSIZE", 90);
    public static final Errno EPROTOTYPE = named("EPROTOTYPE", 91);
    public static final Errno ENOPROTOOPT = named("ENOPROTOOPT", 92);
    public static final Errno EOPNOTSUPP = named("EOPNOTSUPP", 95);
    public static final Errno EAFNOSUPPORT = named("EAFNOSUPPORT", 97);
    public static final Errno ECONNRESET = named("ECONNRESET", 104);
    public static final Errno ENOBUFS = named("ENOBUFS", 105);
    public static final Errno EISCONN = named("EISCONN", 106);
    public static final Errno ENOTCONN = named("ENOTCONN", 107);
    public static final Errno ECONNREFUSED = named("ECONNREFUSED", 111);
    /** Kernel-internal (never meant to reach user space, but BPF and others let it). */
    public static final Errno ENOTSUPP = named("ENOTSUPP", 524);

    private final String name;
    private final int value;

    private Errno(String name, int value) {
        this.name = name;
        this.value = value;
    }

    private static Errno named(String name, int value) {
        Errno e = new Errno(name, value);
        NAMED.put(value, e);
        return e;
    }

    /** The errno numbered {@code value}: a named constant, or an unnamed {@code E<n>}. */
    public static Errno of(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("errno numbers are positive: " + value);
        }
        Errno e = NAMED.get(value);
        return e != null ? e : new Errno("E" + value, value);
    }

    /**
     * The errno whose negative is {@code ret}, as a kernel function returned it.
     *
     * @throws IllegalArgumentException if {@code ret} is not negative: it is then no error at all
     */
    public static Errno fromNegative(int ret) {
        if (ret >= 0) {
            throw new IllegalArgumentException("not a negative errno: " + ret);
        }
        return of(-ret);
    }

    /** Every named errno, in ascending order of number. */
    public static List<Errno> named() {
        return Collections.unmodifiableList(List.copyOf(NAMED.values()));
    }

    /** The symbolic name ({@code "EINVAL"}), or {@code E<n>} for a number without one. */
    public String name() {
        return name;
    }

    /** The positive errno number. */
    public int value() {
        return value;
    }

    /** The kernel's return convention: {@code -value}. */
    public int negative() {
        return -value;
    }

    /** Whether this number has a symbolic name here. */
    public boolean isNamed() {
        return NAMED.containsKey(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Errno && ((Errno) o).value == value;
    }

    @Override
    public int hashCode() {
        return value;
    }

    @Override
    public String toString() {
        return name;
    }
}
