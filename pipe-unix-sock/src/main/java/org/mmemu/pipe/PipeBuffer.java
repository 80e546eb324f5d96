package org.mmemu.pipe;

import org.mmemu.core.page.Page;

/**
 * {@code struct pipe_buffer} (include/linux/pipe_fs_i.h): {@code len} bytes at {@code offset} of
 * {@code page}, which the buffer holds by one page reference. 40 bytes in every era (page
 * pointer, two unsigned ints, ops pointer, flags, private), an element of the pipe's
 * {@code kcalloc}'d array. A slot whose {@link #page} is null is empty ({@code ops == NULL}).
 * Only anonymous buffers exist here ({@code anon_pipe_buf_ops}); their merge permission is
 * {@link #PIPE_BUF_FLAG_CAN_MERGE} (4.8's {@code ops->can_merge}).
 */
public final class PipeBuffer {
    /** {@code sizeof(struct pipe_buffer)} on x86-64. */
    public static final int SIZE = 40;
    /** {@code PIPE_BUF_FLAG_GIFT}: vmspliced with {@code SPLICE_F_GIFT}. */
    public static final int PIPE_BUF_FLAG_GIFT = 0x04;
    /** {@code PIPE_BUF_FLAG_CAN_MERGE}: writes may append to this buffer's page. */
    public static final int PIPE_BUF_FLAG_CAN_MERGE = 0x10;

    Page page;
    int offset;
    int len;
    int flags;

    PipeBuffer() {
    }

    /** {@code *obuf = *ibuf}: a copy of {@code other}, with no reference of its own yet. */
    PipeBuffer(PipeBuffer other) {
        this.page = other.page;
        this.offset = other.offset;
        this.len = other.len;
        this.flags = other.flags;
    }

    /** {@code buf->page}; null for an empty slot. */
    public Page page() {
        return page;
    }

    /** {@code buf->offset}: where the unread data start in the page. */
    public int offset() {
        return offset;
    }

    /** {@code buf->len}: the unread bytes. */
    public int len() {
        return len;
    }

    /** {@code buf->flags}. */
    public int flags() {
        return flags;
    }

    @Override
    public String toString() {
        return "pipe_buffer(" + page + ", offset " + offset + ", len " + len + ")";
    }
}
