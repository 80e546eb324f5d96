package org.mmemu.kernel.trace;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.kernel.trace.op.BpfCreateOp;
import org.mmemu.kernel.trace.op.BpfDeleteOp;
import org.mmemu.kernel.trace.op.BpfLookupOp;
import org.mmemu.kernel.trace.op.BpfUpdateOp;
import org.mmemu.kernel.trace.op.CgreadOp;
import org.mmemu.kernel.trace.op.CgwriteOp;
import org.mmemu.kernel.trace.op.DrainOp;
import org.mmemu.kernel.trace.op.ExitOp;
import org.mmemu.kernel.trace.op.FcntlOp;
import org.mmemu.kernel.trace.op.FdCallOp;
import org.mmemu.kernel.trace.op.ForkOp;
import org.mmemu.kernel.trace.op.KfreeOp;
import org.mmemu.kernel.trace.op.KmallocOp;
import org.mmemu.kernel.trace.op.LoadOp;
import org.mmemu.kernel.trace.op.MkdirOp;
import org.mmemu.kernel.trace.op.MmapOp;
import org.mmemu.kernel.trace.op.MoveOp;
import org.mmemu.kernel.trace.op.MprotectOp;
import org.mmemu.kernel.trace.op.MunmapOp;
import org.mmemu.kernel.trace.op.PipeOp;
import org.mmemu.kernel.trace.op.PipeTransferOp;
import org.mmemu.kernel.trace.op.ReadOp;
import org.mmemu.kernel.trace.op.RmdirOp;
import org.mmemu.kernel.trace.op.SetsockoptOp;
import org.mmemu.kernel.trace.op.SignalOp;
import org.mmemu.kernel.trace.op.SocketpairOp;
import org.mmemu.kernel.trace.op.SpawnOp;
import org.mmemu.kernel.trace.op.StoreOp;
import org.mmemu.kernel.trace.op.WriteOp;

/**
 * The operations a trace may use, by name: a new operation is one class with an {@link OpSpec}
 * added to {@link #SPECS}.
 */
public final class TraceOps {
    /** Every operation, in the order docs/TRACE.md describes them. */
    public static final List<OpSpec> SPECS = List.of(
            MkdirOp.SPEC, RmdirOp.SPEC, CgwriteOp.SPEC, CgreadOp.SPEC,
            SpawnOp.SPEC, ForkOp.SPEC, MoveOp.SPEC, ExitOp.EXIT, ExitOp.KILL, SignalOp.SPEC,
            PipeOp.SPEC, WriteOp.WRITE, ReadOp.READ, PipeTransferOp.TEE, PipeTransferOp.SPLICE, FcntlOp.SPEC,
            SocketpairOp.SPEC, WriteOp.SEND, ReadOp.RECV, SetsockoptOp.SPEC,
            BpfCreateOp.SPEC, BpfUpdateOp.SPEC, BpfLookupOp.SPEC, BpfDeleteOp.SPEC, FdCallOp.BPF_FREEZE,
            MmapOp.SPEC, MprotectOp.SPEC, LoadOp.SPEC, StoreOp.SPEC, MunmapOp.SPEC,
            FdCallOp.CLOSE, KmallocOp.SPEC, KfreeOp.SPEC, DrainOp.SPEC);

    private static final Map<String, OpSpec> BY_NAME = byName(SPECS);

    private TraceOps() {
    }

    /** The operation named {@code name}, or null. */
    public static OpSpec get(String name) {
        return BY_NAME.get(name);
    }

    /** The operations' names. */
    public static Collection<String> names() {
        return BY_NAME.keySet();
    }

    private static Map<String, OpSpec> byName(List<OpSpec> specs) {
        Map<String, OpSpec> m = new LinkedHashMap<>();
        for (OpSpec s : specs) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalStateException("two trace operations named " + s.name());
            }
        }
        return Collections.unmodifiableMap(m);
    }
}
