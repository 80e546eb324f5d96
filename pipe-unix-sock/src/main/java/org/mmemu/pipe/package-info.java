/**
 * Pipes and AF_UNIX socket buffers (fs/pipe.c, net/unix). Filled by the pipe and socket issue.
 */
package org.mmemu.pipe;
