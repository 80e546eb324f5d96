package org.mmemu.pipe;

import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.Page;

/**
 * An {@code ITER_KVEC} {@link IovIter} over a Java array, the kernel buffer of
 * {@code kernel_write} / {@code kernel_read}: bytes go between the array and the page's
 * contents in {@link PhysicalMemory} directly. It never faults.
 */
public final class KvecIter implements IovIter {
    private final PhysicalMemory ram;
    private byte[] buffer;
    private int position;

    /** An iterator over all of {@code buffer}, from its start. */
    public KvecIter(PhysicalMemory ram, byte[] buffer) {
        this.ram = ram;
        this.buffer = buffer;
    }

    /**
     * {@code iov_iter_kvec} again, for a reused iterator: over all of {@code buffer} from its
     * start (null once a call is done, so that the iterator holds no caller's array).
     */
    void reset(byte[] buffer) {
        this.buffer = buffer;
        this.position = 0;
    }

    /** The bytes moved so far. */
    public int position() {
        return position;
    }

    @Override
    public long count() {
        return buffer.length - position;
    }

    @Override
    public int copyPageFromIter(Page page, int offset, int n) {
        int len = (int) Math.min(n, count());
        ram.write(page.pfn(), offset, buffer, position, len);
        position += len;
        return len;
    }

    @Override
    public int copyPageToIter(Page page, int offset, int n) {
        int len = (int) Math.min(n, count());
        ram.read(page.pfn(), offset, buffer, position, len);
        position += len;
        return len;
    }
}
