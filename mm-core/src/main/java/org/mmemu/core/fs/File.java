package org.mmemu.core.fs;

import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.KernelBug;

/**
 * {@code struct file} (include/linux/fs.h): an open file with its operations, its tenant's
 * {@code private_data} and its reference count. {@link #get} is {@code get_file}, {@link #put}
 * is {@code fput}: the last put calls {@link FileOperations#release}.
 */
public final class File {
    /** {@code FMODE_READ}. */
    public static final int FMODE_READ = 0x1;
    /** {@code FMODE_WRITE}. */
    public static final int FMODE_WRITE = 0x2;

    private final FileOperations operations;
    private final Object privateData;
    private final int mode;
    private final AtomicLong count = new AtomicLong(1);

    /** {@code alloc_file}: one reference, held by the caller. */
    public File(FileOperations operations, Object privateData, int mode) {
        this.operations = operations;
        this.privateData = privateData;
        this.mode = mode;
    }

    /** {@code f_op}. */
    public FileOperations operations() {
        return operations;
    }

    /** {@code private_data}: the tenant's object (a pipe, a socket, a map). */
    public Object privateData() {
        return privateData;
    }

    /** {@code f_mode}: {@link #FMODE_READ} and {@link #FMODE_WRITE} bits. */
    public int mode() {
        return mode;
    }

    /** {@code file_count}. */
    public long count() {
        return count.get();
    }

    /** {@code get_file}: takes a reference; the file must be live. */
    public File get() {
        long old = count.getAndIncrement();
        if (old <= 0) {
            count.getAndDecrement();
            throw new KernelBug("get_file of a released file " + this);
        }
        return this;
    }

    /** {@code fput}: drops a reference; the last one releases the file. */
    public void put() {
        long now = count.decrementAndGet();
        if (now == 0) {
            operations.release(this);
        } else if (now < 0) {
            throw new KernelBug("fput of a released file " + this);
        }
    }

    @Override
    public String toString() {
        return "file(" + privateData + ")";
    }
}
