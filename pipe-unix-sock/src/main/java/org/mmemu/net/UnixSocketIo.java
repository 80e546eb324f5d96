package org.mmemu.net;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.fs.File;

/**
 * The socket calls on a file (net/socket.c {@code sockfd_lookup}, {@code kernel_sendmsg},
 * {@code kernel_recvmsg}, {@code __sys_setsockopt}): {@code -ENOTSOCK} for a file that is no
 * AF_UNIX socket, else the socket type's {@code sendmsg} / {@code recvmsg} ({@link UnixStream},
 * {@link UnixDgram}) or {@link SockOpts#sockSetsockopt}, as {@code current}, the bytes in a kernel
 * buffer.
 */
public final class UnixSocketIo {
    private final UnixSockets sockets;
    private final UnixStream stream;
    private final UnixDgram dgram;

    @Inject
    UnixSocketIo(UnixSockets sockets, UnixStream stream, UnixDgram dgram) {
        this.sockets = sockets;
        this.stream = stream;
        this.dgram = dgram;
    }

    /** {@code send(fd, data, data.length, MSG_DONTWAIT)}: the bytes sent or a negative errno. */
    public long send(File file, byte[] data) {
        UnixSock sk = sockets.unixSock(file);
        if (sk == null) {
            return Errno.ENOTSOCK.negative();
        }
        return sk.type == SocketType.STREAM ? stream.sendmsg(sk, data) : dgram.sendmsg(sk, data);
    }

    /** {@code recv(fd, buffer, buffer.length, MSG_DONTWAIT)}: the bytes received or a negative errno. */
    public long recv(File file, byte[] buffer) {
        UnixSock sk = sockets.unixSock(file);
        if (sk == null) {
            return Errno.ENOTSOCK.negative();
        }
        return sk.type == SocketType.STREAM ? stream.recvmsg(sk, buffer) : dgram.recvmsg(sk, buffer);
    }

    /** {@code setsockopt(fd, SOL_SOCKET, opt, &value, sizeof(int))}: 0 or {@code -ENOTSOCK}. */
    public int setsockopt(File file, SockOpt opt, int value) {
        UnixSock sk = sockets.unixSock(file);
        if (sk == null) {
            return Errno.ENOTSOCK.negative();
        }
        SockOpts.sockSetsockopt(sk, opt, value);
        return 0;
    }
}
