package org.mmemu.core;

/** A failed system call, as user space sees it: {@code -1} with {@code errno} set. */
public final class ErrnoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public ErrnoException(Errno errno, String message) {
        super(errno + ": " + message);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
