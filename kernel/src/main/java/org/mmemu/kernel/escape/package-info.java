/**
 * The escape matrix: for each kernel-memory path a process can drive ({@link
 * org.mmemu.kernel.escape.EscapePath}, all of them in {@link org.mmemu.kernel.escape.EscapePaths}) and
 * each era, how much kernel memory the process made the kernel allocate without its cgroup being
 * charged, measured from the allocator's and the cgroup's own counters ({@link
 * org.mmemu.kernel.escape.EscapeMatrix}); {@code mmemu escape-matrix} prints it.
 */
package org.mmemu.kernel.escape;
