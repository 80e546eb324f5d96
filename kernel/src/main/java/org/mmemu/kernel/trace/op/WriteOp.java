package org.mmemu.kernel.trace.op;

import java.util.Arrays;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code write TASK FD LEN [BYTE|rand]}: {@code write(2)} of LEN bytes, each BYTE (0 unless
 * given) or random ones from the run's seed. Never blocks: a full pipe takes what fits.
 */
public record WriteOp(String task, String fd, SizeArg len, int fill) implements TraceOp {
    /** {@link #fill} for random bytes. */
    public static final int RANDOM_BYTES = -1;

    public static final OpSpec SPEC = new OpSpec("write", "TASK FD LEN [BYTE|rand]", WriteOp::parse);

    private static WriteOp parse(OpArgs a) {
        int fill = a.count() < 4 ? 0 : a.word(3).equals("rand") ? RANDOM_BYTES : (int) a.integer(3, 0, 255);
        return new WriteOp(a.task(0), a.fd(1), a.length(2, SizeArg.MAX_IO), fill);
    }

    /** Returns the bytes written. */
    @Override
    public String run(TraceContext ctx) {
        int n = (int) len.resolve(ctx.random());
        byte[] data = new byte[n];
        if (fill == RANDOM_BYTES) {
            ctx.random().nextBytes(data);
        } else {
            Arrays.fill(data, (byte) fill);
        }
        return len.result(ctx.task(task).write(ctx.fd(fd), data), n);
    }
}
