package org.mmemu.pipe;

import static org.mmemu.core.page.Gfp.GFP_HIGHUSER;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;

/**
 * What a pipe does differently from one kernel release to the next (fs/pipe.c, fs/splice.c,
 * include/linux/pipe_fs_i.h of each era; {@link PipeEras} picks one per release).
 *
 * @param pageGfp {@code pipe_write}'s {@code alloc_page} gfp: {@code GFP_HIGHUSER} until 4.7,
 *     {@code GFP_HIGHUSER | __GFP_ACCOUNT} from 4.8 ("pipe: account to kmemcg")
 * @param objectGfp the gfp of {@code alloc_pipe_info}'s {@code kzalloc} and of the buffer array's
 *     {@code kcalloc}: {@code GFP_KERNEL} until 4.7, {@code GFP_KERNEL_ACCOUNT} from 4.8
 * @param pipeInodeInfoSize {@code sizeof(struct pipe_inode_info)} on x86-64 without lock
 *     debugging nor {@code CONFIG_WATCH_QUEUE}: 144 in 4.7/4.8 (a 40-byte mutex with its osq),
 *     136 in 4.18 (the 32-byte mutex of 4.10), 160 in 5.9-5.11 (two wait queues, head/tail ring
 *     fields and {@code nr_accounted}), 168 in 6.13 ({@code poll_usage})
 * @param limits how {@code pipe-user-pages-soft/-hard} and {@code round_pipe_size} behave
 * @param sharedBuffersMergeable whether a buffer tee or a partial splice put in another pipe may
 *     still take merged writes: yes until 4.20, no from 5.0 ("splice: don't merge into linked
 *     buffers" clears {@code PIPE_BUF_FLAG_CAN_MERGE} on the copy)
 */
public record PipeConfig(int pageGfp, int objectGfp, int pipeInodeInfoSize, PipeLimits limits,
                         boolean sharedBuffersMergeable) {
    /** 4.7: nothing of a pipe is accounted. */
    public static final PipeConfig V4_7 = new PipeConfig(GFP_HIGHUSER, GFP_KERNEL, 144, PipeLimits.CHECK_FIRST, true);
    /** 4.8: the pages and both objects are accounted. */
    public static final PipeConfig V4_8 =
            new PipeConfig(GFP_HIGHUSER | __GFP_ACCOUNT, GFP_KERNEL_ACCOUNT, 144, PipeLimits.CHECK_FIRST, true);
    /** 4.18: the limits are checked after accounting, privileged users exempt. */
    public static final PipeConfig V4_18 =
            new PipeConfig(GFP_HIGHUSER | __GFP_ACCOUNT, GFP_KERNEL_ACCOUNT, 136, PipeLimits.ACCOUNT_FIRST, true);
    /** 5.9 to 5.11: the ring of head and tail; shared buffers are no longer merged into. */
    public static final PipeConfig V5_9 =
            new PipeConfig(GFP_HIGHUSER | __GFP_ACCOUNT, GFP_KERNEL_ACCOUNT, 160, PipeLimits.ACCOUNT_FIRST, false);
    /** 6.13. */
    public static final PipeConfig LATEST =
            new PipeConfig(GFP_HIGHUSER | __GFP_ACCOUNT, GFP_KERNEL_ACCOUNT, 168, PipeLimits.ACCOUNT_FIRST, false);
}
