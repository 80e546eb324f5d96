package org.mmemu.kernel.escape;

import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;

/**
 * A drive whose every step is one in-kernel allocation made in the process's context, standing
 * in for the system calls that make such allocations: the address is kept, a failed allocation
 * (0) is the call's {@code ENOMEM}, and {@link #release} frees everything, as the objects'
 * owners would when the process's files go.
 */
final class KernelAllocations implements PathDrive {
    private final Kernel kernel;
    private final Task task;
    private final String call;
    private final LongSupplier alloc;
    private final LongConsumer free;
    private final Runnable teardown;
    private long[] held = new long[1024];
    private int count;

    /**
     * @param call the kernel call, for the errno's message ("vmalloc(64K, GFP_KERNEL_ACCOUNT)")
     * @param alloc one allocation: its address, or 0
     * @param free frees one address
     * @param teardown runs after every address is freed (a cache destroyed)
     */
    KernelAllocations(Kernel kernel, Task task, String call, LongSupplier alloc, LongConsumer free, Runnable teardown) {
        this.kernel = kernel;
        this.task = task;
        this.call = call;
        this.alloc = alloc;
        this.free = free;
        this.teardown = teardown;
    }

    @Override
    public void step() {
        long addr;
        try (var running = kernel.enter(task)) {
            addr = alloc.getAsLong();
        }
        if (addr == 0) {
            throw new ErrnoException(Errno.ENOMEM, call + " by " + task);
        }
        if (count == held.length) {
            held = Arrays.copyOf(held, count * 2);
        }
        held[count++] = addr;
    }

    @Override
    public void release() {
        for (int i = 0; i < count; i++) {
            free.accept(held[i]);
        }
        count = 0;
        teardown.run();
    }
}
