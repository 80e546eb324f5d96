package org.mmemu.kernel;

import org.mmemu.core.fs.File;

/**
 * A data call on an open file with a kernel buffer ({@code kernel_write}, {@code kernel_read},
 * {@code kernel_sendmsg}, {@code kernel_recvmsg}): the bytes moved or a negative errno. Each
 * call class keeps one per direction, so that a call allocates none.
 */
@FunctionalInterface
interface BufferIo {
    long transfer(File file, byte[] buffer);
}
