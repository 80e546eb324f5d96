package org.mmemu.net;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V4_8;

import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.core.page.Gfp;

/**
 * AF_UNIX's era table: one {@link UnixConfig} per release, read in net/unix/af_unix.c,
 * net/core/sock.c and net/core/skbuff.c of 4.8.15, 4.18.0, 5.9.1 and 6.13.7 (4.7 is 4.8 without
 * 3aa9799e1364, which 4.8 merged). The choices take effect where {@link UnixModule} is installed.
 */
public final class UnixEras {
    /** The sockets' allocation flags, the sock cache's accounting, the fragment fallback. */
    public static final EraChoice<UnixConfig> CONFIG = EraChoice.config("af_unix", UnixConfig.class, UnixConfig.V4_7,
                    UnixEras::describe, (binder, config) -> UnixModule.config(binder).setBinding().toInstance(config))
            .since(V4_8, UnixConfig.V4_8)
            .since(V4_18, UnixConfig.V4_18)
            .since(LATEST, UnixConfig.LATEST);

    /** AF_UNIX's choices, in table order. */
    public static final EraDescriptor DESCRIPTOR = EraDescriptor.of("af_unix", CONFIG);

    private UnixEras() {
    }

    /** The era table's cell: "buffers accounted, sock accounted, frags step down". */
    private static String describe(UnixConfig c) {
        return ((c.skAllocation() & Gfp.__GFP_ACCOUNT) != 0 ? "buffers accounted" : "buffers unaccounted")
                + (c.protoSlabAccounted() ? ", sock accounted" : "")
                + (c.fragsStepDown() ? ", frags step down" : "");
    }
}
