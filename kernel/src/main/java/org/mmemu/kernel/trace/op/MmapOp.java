package org.mmemu.kernel.trace.op;

import org.mmemu.kernel.Prot;
import org.mmemu.kernel.trace.OpArgs;
import org.mmemu.kernel.trace.OpSpec;
import org.mmemu.kernel.trace.TraceContext;
import org.mmemu.kernel.trace.TraceOp;

/**
 * {@code mmap TASK MAPPING FD LEN [ro|rw] [OFFSET]}: {@code mmap(NULL, LEN, prot, MAP_SHARED, fd,
 * OFFSET)}, read-write at offset 0 unless given; the mapping is named MAPPING for {@code munmap},
 * {@code mprotect}, {@code load} and {@code store}. A fork's copy of it is at the same address,
 * so the name serves the child too.
 */
public record MmapOp(String task, String mapping, String fd, long length, int prot, long offset) implements TraceOp {
    public static final OpSpec SPEC = new OpSpec("mmap", "TASK MAPPING FD LEN [ro|rw] [OFFSET]", MmapOp::parse);

    /** The protections by their trace names: {@code none}, {@code ro}, {@code rw}. */
    static final String[] PROT_NAMES = {"none", "ro", "rw"};
    static final int[] PROTS = {Prot.NONE, Prot.READ, Prot.READ | Prot.WRITE};

    private static MmapOp parse(OpArgs a) {
        int prot = a.count() > 4 ? PROTS[1 + a.choice(4, "ro", "rw")] : Prot.READ | Prot.WRITE;
        long offset = a.count() > 5 ? a.size(5, Long.MAX_VALUE) : 0;
        return new MmapOp(a.task(0), a.newMapping(1), a.fd(2), a.size(3, Long.MAX_VALUE), prot, offset);
    }

    /** Returns the mapping's address; a failed mmap leaves the name at {@code MAP_FAILED}. */
    @Override
    public String run(TraceContext ctx) {
        long address = TraceContext.MAP_FAILED;
        try {
            address = ctx.task(task).mmap(ctx.fd(fd), length, prot, offset);
        } finally {
            ctx.putMapping(mapping, new TraceContext.Mapping(address, length));
        }
        return "0x" + Long.toHexString(address);
    }
}
