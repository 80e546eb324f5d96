package org.mmemu.net;

/** {@code enum sock_type} (include/linux/net.h): the socket types a socketpair can have, with the kernel's values. */
public enum SocketType {
    /** {@code SOCK_STREAM}: a byte stream. */
    STREAM(1),
    /** {@code SOCK_DGRAM}: messages, each whole or not at all. */
    DGRAM(2);

    private final int value;

    SocketType(int value) {
        this.value = value;
    }

    /** The kernel's value ({@code SOCK_STREAM} = 1, {@code SOCK_DGRAM} = 2). */
    public int value() {
        return value;
    }
}
