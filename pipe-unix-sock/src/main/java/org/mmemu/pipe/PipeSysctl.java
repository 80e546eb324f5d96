package org.mmemu.pipe;

import com.google.inject.Inject;
import org.mmemu.core.Errno;

/**
 * The pipe knobs of {@code /proc/sys/fs} (fs/pipe.c, kernel/sysctl.c): {@code pipe-max-size}
 * (1048576), {@code pipe-user-pages-soft} ({@code PIPE_DEF_BUFFERS * INR_OPEN_CUR} = 16384
 * pages) and {@code pipe-user-pages-hard} (0: no limit), with the kernel's defaults.
 */
public final class PipeSysctl {
    /** {@code pipe_max_size}'s default. */
    public static final long PIPE_MAX_SIZE = 1048576;
    /** {@code PIPE_DEF_BUFFERS}: a new pipe's slots. */
    public static final int PIPE_DEF_BUFFERS = 16;
    /** {@code INR_OPEN_CUR}. */
    private static final int INR_OPEN_CUR = 1024;
    /** {@code pipe_user_pages_soft}'s default. */
    public static final long PIPE_USER_PAGES_SOFT = (long) PIPE_DEF_BUFFERS * INR_OPEN_CUR;

    private final PipeLimits limits;
    private volatile long maxSize = PIPE_MAX_SIZE;
    private volatile long userPagesSoft = PIPE_USER_PAGES_SOFT;
    private volatile long userPagesHard;

    @Inject
    PipeSysctl(PipeConfig config) {
        this.limits = config.limits();
    }

    /** {@code pipe_max_size}: bytes an unprivileged {@code F_SETPIPE_SZ} may ask for. */
    public long maxSize() {
        return maxSize;
    }

    /**
     * Writes {@code pipe-max-size}: the value is rounded as {@code F_SETPIPE_SZ} rounds
     * ({@code round_pipe_size}).
     *
     * @return 0, or {@code -EINVAL} for a size that rounds to nothing (it stays as it was)
     */
    public int setMaxSize(long bytes) {
        long rounded = bytes < 0 ? 0 : limits.roundPipeSize(bytes);
        if (rounded == 0) {
            return Errno.EINVAL.negative();
        }
        maxSize = rounded;
        return 0;
    }

    /** {@code pipe_user_pages_soft}: pages; 0 is no limit. */
    public long userPagesSoft() {
        return userPagesSoft;
    }

    /** Writes {@code pipe-user-pages-soft}. */
    public void setUserPagesSoft(long pages) {
        userPagesSoft = pages;
    }

    /** {@code pipe_user_pages_hard}: pages; 0 (the default) is no limit. */
    public long userPagesHard() {
        return userPagesHard;
    }

    /** Writes {@code pipe-user-pages-hard}. */
    public void setUserPagesHard(long pages) {
        userPagesHard = pages;
    }
}
