package org.mmemu.net;

/** The {@code SOL_SOCKET} options the emulator knows (include/uapi/asm-generic/socket.h), with the kernel's values. */
public enum SockOpt {
    /** {@code SO_SNDBUF}: the send buffer, in bytes of {@code truesize}. */
    SNDBUF(7),
    /** {@code SO_RCVBUF}: the receive buffer. */
    RCVBUF(8);

    private final int value;

    SockOpt(int value) {
        this.value = value;
    }

    /** The kernel's option number. */
    public int value() {
        return value;
    }
}
