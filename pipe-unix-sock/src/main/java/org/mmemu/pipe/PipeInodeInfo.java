package org.mmemu.pipe;

import org.mmemu.core.cred.UserStruct;
import org.mmemu.core.page.Page;

/**
 * {@code struct pipe_inode_info} (include/linux/pipe_fs_i.h): a pipe, a ring of
 * {@link PipeBuffer}s indexed by free-running {@code head} (where writes go) and {@code tail}
 * (where reads come from), 5.5's layout, which holds 4.8's {@code curbuf}/{@code nrbufs} as
 * {@code tail}/{@code head - tail}. Its fields are this object; its memory is a
 * {@code kzalloc} of the era's {@code sizeof} at {@link #address()}, and the ring's a
 * {@code kcalloc} at {@link #bufsAddress()}, both made and freed by {@link PipeInfos}.
 * {@code pipe->mutex} is this object's monitor.
 */
public final class PipeInodeInfo {
    final long address;
    final UserStruct user;
    long bufsAddress;
    PipeBuffer[] bufs;
    int head;
    int tail;
    int maxUsage;
    int nrAccounted;
    int readers;
    int writers;
    int files;
    /** {@code tmp_page}: a spare page kept from a fully read buffer, charged as when written. */
    Page tmpPage;

    PipeInodeInfo(long address, UserStruct user) {
        this.address = address;
        this.user = user;
    }

    /** The emulated address of the {@code pipe_inode_info} allocation. */
    public long address() {
        return address;
    }

    /** The emulated address of the {@code bufs} array. */
    public synchronized long bufsAddress() {
        return bufsAddress;
    }

    /** {@code pipe->user}: whose {@code pipe_bufs} the ring's slots count in. */
    public UserStruct user() {
        return user;
    }

    /** {@code pipe->ring_size}: the ring's slots. */
    public synchronized int ringSize() {
        return bufs.length;
    }

    /** {@code pipe_occupancy(head, tail)}: the buffers holding data. */
    public synchronized int occupancy() {
        return head - tail;
    }

    /** The unread bytes in every buffer. */
    public synchronized long unreadBytes() {
        long bytes = 0;
        for (int i = tail; i != head; i++) {
            bytes += slot(i).len;
        }
        return bytes;
    }

    /** {@code pipe->tmp_page}, or null. */
    public synchronized Page tmpPage() {
        return tmpPage;
    }

    /** {@code pipe->readers}. */
    public synchronized int readers() {
        return readers;
    }

    /** {@code pipe->writers}. */
    public synchronized int writers() {
        return writers;
    }

    /** {@code &pipe->bufs[index & (ring_size - 1)]}. */
    PipeBuffer slot(int index) {
        return bufs[index & bufs.length - 1];
    }

    /** {@code pipe_full(head, tail, max_usage)}. */
    boolean full() {
        return head - tail >= maxUsage;
    }

    /** {@code pipe_empty(head, tail)}. */
    boolean empty() {
        return head == tail;
    }

    @Override
    public String toString() {
        return "pipe@" + Long.toHexString(address);
    }
}
