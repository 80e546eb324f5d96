/**
 * Pipes (fs/pipe.c, fs/splice.c): {@link org.mmemu.pipe.PipeInodeInfo} with its ring of
 * {@link org.mmemu.pipe.PipeBuffer}s, kmalloc'd as the kernel allocates them, pages written in
 * the writer's context and charged to its cgroup from 4.8, released by whoever empties them;
 * {@code pipe2}, read, write, {@code F_SETPIPE_SZ}, tee and splice. {@link org.mmemu.pipe.PipeModule}
 * wires them; {@link org.mmemu.pipe.PipeEras} is the era table.
 */
package org.mmemu.pipe;
