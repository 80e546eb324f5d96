package org.mmemu.pipe;

import org.mmemu.core.page.MemMap;

/**
 * The per-user pipe limits and the size rounding of an era (fs/pipe.c {@code alloc_pipe_info},
 * {@code pipe_fcntl} / {@code pipe_set_size}, {@code too_many_pipe_buffers_soft/_hard},
 * {@code round_pipe_size}).
 */
public enum PipeLimits {
    /**
     * 4.5 to 4.13: a user at or over a limit ({@code >=}) is over it, checked before the new
     * pipe's buffers are accounted, root included; {@code round_pipe_size} rounds the page count
     * up to a power of two, so 0 bytes is no pages ({@code -EINVAL}).
     */
    CHECK_FIRST(true),
    /**
     * 4.14 on: the buffers are accounted first and a user is over a limit when above it
     * ({@code >}); users with {@code CAP_SYS_RESOURCE} or {@code CAP_SYS_ADMIN} are exempt;
     * {@code round_pipe_size} takes bytes, at least a page, 0 above 2 GiB.
     */
    ACCOUNT_FIRST(false);

    private final boolean checkFirst;

    PipeLimits(boolean checkFirst) {
        this.checkFirst = checkFirst;
    }

    /** Whether the limits are checked before accounting, with {@code >=}, for every user. */
    public boolean checkFirst() {
        return checkFirst;
    }

    /** {@code too_many_pipe_buffers_soft/_hard}: {@code userBufs} pages against {@code limit} (0: none). */
    public boolean tooMany(long userBufs, long limit) {
        return limit != 0 && (checkFirst ? userBufs >= limit : userBufs > limit);
    }

    /** {@code round_pipe_size(size)}: bytes, a power-of-two number of pages, or 0 when invalid. */
    public long roundPipeSize(long size) {
        if (checkFirst) {
            long pages = Integer.toUnsignedLong((int) size) + MemMap.PAGE_SIZE - 1 >>> MemMap.PAGE_SHIFT;
            return roundupPowOfTwo(pages) << MemMap.PAGE_SHIFT & 0xffffffffL;
        }
        if (size > 1L << 31) {
            return 0;
        }
        return size < MemMap.PAGE_SIZE ? MemMap.PAGE_SIZE : roundupPowOfTwo(size);
    }

    private static long roundupPowOfTwo(long n) {
        return n <= 1 ? n : Long.highestOneBit(n - 1) << 1;
    }
}
