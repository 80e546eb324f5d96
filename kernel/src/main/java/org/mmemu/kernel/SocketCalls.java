package org.mmemu.kernel;

import java.util.Arrays;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.net.SockOpt;
import org.mmemu.net.SocketType;
import org.mmemu.net.UnixSocketIo;
import org.mmemu.net.UnixSockets;

/**
 * The AF_UNIX socket calls of {@link Task}, on {@link PipeCalls}' path in and out of the kernel:
 * each runs as the task, looks its fd up, turns a negative errno into {@link ErrnoException} and
 * delivers a pending {@code SIGPIPE} (a stream send to a closed peer) on the way out. Data cross
 * as Java arrays, a kernel buffer ({@code kernel_sendmsg} / {@code kernel_recvmsg}). The calls'
 * names in errors are constants: building them per call was a tenth of a round trip's time.
 */
final class SocketCalls {
    private final Kernel kernel;
    private final Task owner;
    private final PipeCalls files;
    /** Looked up on the first socket call: most tasks make none. */
    private UnixSocketIo io;

    SocketCalls(Kernel kernel, Task owner, PipeCalls files) {
        this.kernel = kernel;
        this.owner = owner;
        this.files = files;
    }

    private UnixSocketIo io() {
        UnixSocketIo i = io;
        if (i == null) {
            i = kernel.get(UnixSocketIo.class);
            io = i;
        }
        return i;
    }

    /** {@code socketpair(AF_UNIX, type, 0, sv)}. */
    int[] socketpair(SocketType type) {
        int[] fds;
        try (var running = kernel.enter(owner)) {
            fds = kernel.get(UnixSockets.class).socketpair(type);
        }
        if (fds.length == 1) {
            throw new ErrnoException(Errno.fromNegative(fds[0]), "socketpair(AF_UNIX, " + type + ") by " + owner);
        }
        return fds;
    }

    /** {@code send(fd, data, data.length, MSG_DONTWAIT)}. */
    int send(int fd, byte[] data) {
        return (int) files.call("send", f -> io().send(f, data), fd);
    }

    /** {@code recv(fd, buf, max, MSG_DONTWAIT)}: the bytes received. */
    byte[] recv(int fd, int max) {
        byte[] buffer = new byte[max];
        long n = files.call("recv", f -> io().recv(f, buffer), fd);
        return n == max ? buffer : Arrays.copyOf(buffer, (int) n);
    }

    /** {@code setsockopt(fd, SOL_SOCKET, opt, &value, sizeof(int))}. */
    void setSockOpt(int fd, SockOpt opt, int value) {
        files.call("setsockopt(" + opt + ")", f -> io().setsockopt(f, opt, value), fd);
    }
}
