package org.mmemu.core.fs;

/** The {@code poll} event bits of {@code include/uapi/asm-generic/poll.h}. */
public final class Poll {
    public static final int POLLIN = 0x0001;
    public static final int POLLPRI = 0x0002;
    public static final int POLLOUT = 0x0004;
    public static final int POLLERR = 0x0008;
    public static final int POLLHUP = 0x0010;
    public static final int POLLRDNORM = 0x0040;
    public static final int POLLWRNORM = 0x0100;
    /** {@code DEFAULT_POLLMASK}: what a file without {@code ->poll} reports. */
    public static final int DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

    private Poll() {
    }
}
