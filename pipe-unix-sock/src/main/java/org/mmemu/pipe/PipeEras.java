package org.mmemu.pipe;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V4_8;
import static org.mmemu.core.era.KernelRelease.V5_9;

import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.core.page.Gfp;

/**
 * pipe-unix-sock's era table: one {@link PipeConfig} per release, read in fs/pipe.c, fs/splice.c
 * and include/linux/pipe_fs_i.h of 4.6.2 (for 4.7), 4.8.15, 4.18.0, 5.10.7 (for 5.9-5.11) and
 * 6.13.7. The choices take effect where {@link PipeModule} is installed.
 *
 * <p>Choices the sources leave open: 4.7 is taken to be 4.6 (no accounting; {@code GFP_KERNEL}
 * objects); 5.9 and 5.11 are taken to be 5.10. Structure sizes are computed for x86-64 without
 * lock debugging and without {@code CONFIG_WATCH_QUEUE} (which would add a pointer and a bool).
 */
public final class PipeEras {
    /** The gfp of pipe pages and objects, {@code sizeof(struct pipe_inode_info)}, the limits, merging. */
    public static final EraChoice<PipeConfig> CONFIG = EraChoice.config("pipe", PipeConfig.class, PipeConfig.V4_7,
                    PipeEras::describe, (binder, config) -> PipeModule.config(binder).setBinding().toInstance(config))
            .since(V4_8, PipeConfig.V4_8)
            .since(V4_18, PipeConfig.V4_18)
            .since(V5_9, PipeConfig.V5_9)
            .since(LATEST, PipeConfig.LATEST);

    /** pipe-unix-sock's choices, in table order. */
    public static final EraDescriptor DESCRIPTOR = EraDescriptor.of("pipe-unix-sock", CONFIG);

    private PipeEras() {
    }

    /** The era table's cell: "accounted, 144 B, CHECK_FIRST, shared merge". */
    private static String describe(PipeConfig c) {
        return ((c.pageGfp() & Gfp.__GFP_ACCOUNT) != 0 ? "accounted" : "unaccounted") + ", "
                + c.pipeInodeInfoSize() + " B, " + c.limits()
                + (c.sharedBuffersMergeable() ? ", shared merge" : "");
    }
}
