package org.mmemu.kernel.trace.op;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.SizeArg;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;
import org.mmemu.slab.Kmalloc;

/**
 * {@code kmalloc TASK OBJ SIZE [account]}: kernel code running as TASK (a system call's
 * allocation) takes a kmalloc object of SIZE bytes, {@code GFP_KERNEL}, or
 * {@code GFP_KERNEL_ACCOUNT} with {@code account}; OBJ names it for {@code kfree}. Above 8 KiB it
 * is a kmalloc_large block.
 */
public record KmallocOp(String task, String object, SizeArg size, boolean account) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("kmalloc", "TASK OBJ SIZE [account]", KmallocOp::parse);

    private static KmallocOp parse(OpArgs a) {
        boolean account = a.count() > 3 && a.choice(3, "account") == 0;
        return new KmallocOp(a.task(0), a.newObject(1), a.length(2, 1L << 30), account);
    }

    /** Returns the object's address; {@code ENOMEM} (a NULL return) if it could not be had. */
    @Override
    public String run(TraceContext ctx) {
        long n = size.resolve(ctx.random());
        long address;
        try (var running = ctx.kernel().enter(ctx.task(task))) {
            address = ctx.kernel().get(Kmalloc.class).kmalloc(n, account ? GFP_KERNEL_ACCOUNT : GFP_KERNEL);
        }
        ctx.putObject(object, address);
        if (address == 0) {
            throw new ErrnoException(Errno.ENOMEM, "kmalloc(" + n + ") returned NULL");
        }
        return size.result("0x" + Long.toHexString(address), n);
    }
}
