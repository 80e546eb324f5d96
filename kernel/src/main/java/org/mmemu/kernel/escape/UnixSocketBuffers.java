package org.mmemu.kernel.escape;

import java.util.Locale;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.net.SocketType;

/**
 * AF_UNIX socket buffers sent and never received: the process makes a socketpair, sends into
 * one end until its send buffer is full ({@code EAGAIN}), closes that end (its skbs stay queued
 * at the other, which it keeps open) and starts another pair. Each skb's head, linear data and
 * page fragments are allocated with the socket's {@code sk_allocation} in the sender's context
 * ({@code unix_stream_sendmsg} / {@code unix_dgram_sendmsg} → {@code sock_alloc_send_pskb},
 * net/unix/af_unix.c): {@code GFP_KERNEL} until 4.8 set it to {@code GFP_KERNEL_ACCOUNT}.
 */
final class UnixSocketBuffers implements EscapePath {
    private final String name;
    private final SocketType type;
    private final int messageSize;

    private UnixSocketBuffers(String name, SocketType type, int messageSize) {
        this.name = name;
        this.type = type;
        this.messageSize = messageSize;
    }

    /** Stream sockets, 64 KiB sends (linear data and page fragments). */
    static UnixSocketBuffers stream() {
        return new UnixSocketBuffers("unix-stream", SocketType.STREAM, 64 << 10);
    }

    /** Datagram sockets, 16 KiB datagrams. */
    static UnixSocketBuffers dgram() {
        return new UnixSocketBuffers("unix-dgram", SocketType.DGRAM, 16 << 10);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "makes AF_UNIX " + type.name().toLowerCase(Locale.ROOT) + " socketpairs and sends "
                + (messageSize >> 10) + " KiB messages into one end until its send buffer is full, then closes that"
                + " end and keeps the other, never receiving";
    }

    @Override
    public KernelChange closedBy() {
        return new KernelChange(KernelRelease.V4_8, "3aa9799e1364", "af_unix: charge buffers to kmemcg",
                "net/unix/af_unix.c unix_create1: sk->sk_allocation = GFP_KERNEL_ACCOUNT from 4.8.15, so"
                        + " sock_alloc_send_pskb charges the skb head, its linear data and its page fragments; the sock"
                        + " itself is charged from 4.18 (SLAB_ACCOUNT in proto_register)");
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        return new Sender(task);
    }

    /** Fills one pair's send buffer after another. */
    private final class Sender implements PathDrive {
        private final Task task;
        private final byte[] message = new byte[messageSize];
        private int sendFd = -1;

        Sender(Task task) {
            this.task = task;
        }

        @Override
        public void step() {
            if (sendFd < 0) {
                sendFd = task.socketpair(type)[0];
                return;
            }
            try {
                task.send(sendFd, message);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                // Full: the queued skbs stay at the peer, charged (or not) to whoever sent them.
                task.close(sendFd);
                sendFd = -1;
            }
        }
    }
}
