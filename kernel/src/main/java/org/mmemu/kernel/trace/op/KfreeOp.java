package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;
import org.mmemu.slab.Kmalloc;

/** {@code kfree TASK OBJ}: frees a kmalloc object as TASK; freeing it twice is the kernel's double free. */
public record KfreeOp(String task, String object) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("kfree", "TASK OBJ", a -> new KfreeOp(a.task(0), a.object(1)));

    @Override
    public String run(TraceContext ctx) {
        try (var running = ctx.kernel().enter(ctx.task(task))) {
            ctx.kernel().get(Kmalloc.class).kfree(ctx.object(object));
        }
        ctx.freed(object);
        return "0";
    }
}
