package org.mmemu.core.fs;

import org.mmemu.core.Errno;
import org.mmemu.core.mm.Vma;

/**
 * {@code struct file_operations}: what a tenant (a pipe, a socket, a BPF map) implements for the
 * files it creates. mm-core calls them and knows no tenant. An operation a file does not have
 * answers as the kernel's VFS does when the pointer is NULL.
 */
public interface FileOperations {

    /**
     * {@code ->read}: copies at most {@code len} bytes to the user buffer at {@code buf} in the
     * current task's address space.
     *
     * @return bytes read, 0 at end of file, or a negative errno ({@code -EINVAL} when absent)
     */
    default long read(File file, long buf, long len) {
        return Errno.EINVAL.negative();
    }

    /**
     * {@code ->write}: copies at most {@code len} bytes from the user buffer at {@code buf}.
     *
     * @return bytes written or a negative errno ({@code -EINVAL} when absent)
     */
    default long write(File file, long buf, long len) {
        return Errno.EINVAL.negative();
    }

    /**
     * {@code ->mmap}: sets up {@code vma} (its {@code vm_ops}, its pages) for this file.
     *
     * @return 0 or a negative errno ({@code -ENODEV} when absent, as {@code do_mmap} answers)
     */
    default int mmap(File file, Vma vma) {
        return Errno.ENODEV.negative();
    }

    /**
     * {@code ->poll}: the readiness mask ({@link Poll} bits) without waiting.
     */
    default int poll(File file) {
        return Poll.DEFAULT_POLLMASK;
    }

    /** {@code ->release}: the last reference to {@code file} is gone. */
    default void release(File file) {
    }
}
