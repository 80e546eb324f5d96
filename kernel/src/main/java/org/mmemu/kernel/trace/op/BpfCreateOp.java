package org.mmemu.kernel.trace.op;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.core.sched.Cpus;
import org.mmemu.kernel.trace.BpfMapShape;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code bpf-create TASK MAP TYPE KEY VALUE ENTRIES [FLAG...]}: {@code bpf(BPF_MAP_CREATE)} of an
 * {@code array}, {@code hash} or {@code percpu-array} map with KEY-byte keys, VALUE-byte values
 * and ENTRIES entries, with the flags {@code mmapable}, {@code no-prealloc}, {@code rdonly-prog};
 * the map's fd is named MAP.
 */
public record BpfCreateOp(String task, String map, BpfMapType type, int keySize, int valueSize, int entries,
                          int flags) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("bpf-create",
            "TASK MAP array|hash|percpu-array KEY VALUE ENTRIES [mmapable|no-prealloc|rdonly-prog...]",
            BpfCreateOp::parse);

    private static final BpfMapType[] TYPES = {BpfMapType.ARRAY, BpfMapType.HASH, BpfMapType.PERCPU_ARRAY};
    private static final int[] FLAGS = {BpfMapFlags.MMAPABLE, BpfMapFlags.NO_PREALLOC, BpfMapFlags.RDONLY_PROG};

    private static BpfCreateOp parse(OpArgs a) {
        BpfMapType type = TYPES[a.choice(2, "array", "hash", "percpu-array")];
        int flags = 0;
        for (int i = 6; i < a.count(); i++) {
            flags |= FLAGS[a.choice(i, "mmapable", "no-prealloc", "rdonly-prog")];
        }
        return new BpfCreateOp(a.task(0), a.newFd(1), type, (int) a.integer(3, 0, Integer.MAX_VALUE),
                (int) a.integer(4, 0, Integer.MAX_VALUE), (int) a.integer(5, 0, Integer.MAX_VALUE), flags);
    }

    /** Returns the map's fd. */
    @Override
    public String run(TraceContext ctx) {
        int fd = ctx.task(task).bpfMapCreate(type, keySize, valueSize, entries, flags);
        ctx.putFd(map, fd);
        ctx.putMap(map, type == BpfMapType.PERCPU_ARRAY
                ? BpfMapShape.percpu(valueSize, ctx.kernel().get(Cpus.class).nrCpus())
                : BpfMapShape.of(keySize, valueSize));
        return Integer.toString(fd);
    }
}
