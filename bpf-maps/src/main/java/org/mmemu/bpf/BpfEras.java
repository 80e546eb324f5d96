package org.mmemu.bpf;

import static org.mmemu.core.era.KernelRelease.LATEST;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V5_11;
import static org.mmemu.core.era.KernelRelease.V5_9;

import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.core.page.Gfp;

/**
 * bpf-maps' era table: one {@link BpfConfig} per release, read in kernel/bpf/syscall.c,
 * arraymap.c, hashtab.c (and memalloc.c) of 4.8.15, 4.18.0, 5.10.7, 5.11 and 6.13.7. The choices take effect
 * where {@link BpfModule} is installed.
 *
 * <p>Choices the sources leave open: 4.7 is taken to be 4.8 (the same map code); 5.9 is taken
 * to be 5.10; the latest kernel is 5.11 but for the hash elements of {@code bpf_mem_alloc}
 * (6.13.7's).
 */
public final class BpfEras {
    /** Flags, ids, freeze, and who pays for a map. */
    public static final EraChoice<BpfConfig> CONFIG = EraChoice.config("bpf", BpfConfig.class, BpfConfig.V4_8,
                    BpfEras::describe, (binder, config) -> BpfModule.config(binder).setBinding().toInstance(config))
            .since(V4_18, BpfConfig.V4_18)
            .since(V5_9, BpfConfig.V5_9)
            .since(V5_11, BpfConfig.V5_11)
            .since(LATEST, BpfConfig.LATEST);

    /** bpf-maps' choices, in table order. */
    public static final EraDescriptor DESCRIPTOR = EraDescriptor.of("bpf-maps", CONFIG);

    private BpfEras() {
    }

    /** The era table's cell: "memcg, accounted, ids, freeze, mmapable, bpf_ma". */
    private static String describe(BpfConfig c) {
        return (c.memcgOwned() ? "memcg" : "memlock") + ", "
                + ((c.accountGfp() & Gfp.__GFP_ACCOUNT) != 0 ? "accounted" : "unaccounted")
                + (c.mapIds() ? ", ids" : "") + (c.freeze() ? ", freeze" : "") + (c.mmapable() ? ", mmapable" : "")
                + (c.memAlloc() ? ", bpf_ma" : "");
    }
}
