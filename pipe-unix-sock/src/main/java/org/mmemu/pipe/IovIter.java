package org.mmemu.pipe;

import org.mmemu.core.page.Page;

/**
 * {@code struct iov_iter} (lib/iov_iter.c), as far as a pipe uses it: the bytes a read or write
 * still has to move, and {@code copy_page_from_iter} / {@code copy_page_to_iter} between them and
 * a page's contents. {@link UserIovIter} is a user buffer of {@code current} ({@code ITER_IOVEC},
 * what {@code read(2)} and {@code write(2)} hand a file); {@link KvecIter} a kernel buffer
 * ({@code ITER_KVEC}, what {@code kernel_read} / {@code kernel_write} hand it), which the facade
 * uses for the bytes of a Java array.
 */
public interface IovIter {
    /** {@code iov_iter_count}: the bytes still to move. */
    long count();

    /** {@code copy_page_from_iter(page, offset, n)}: at most {@code n} bytes in; the bytes copied. */
    int copyPageFromIter(Page page, int offset, int n);

    /** {@code copy_page_to_iter(page, offset, n)}: at most {@code n} bytes out; the bytes copied. */
    int copyPageToIter(Page page, int offset, int n);
}
