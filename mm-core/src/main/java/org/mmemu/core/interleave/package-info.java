/**
 * Named interleaving points: places in kernel code where a test can stop one CPU's thread,
 * run another CPU's steps, and let the first go on, so that a race reproduces every time.
 * Kernel code declares an {@link org.mmemu.core.interleave.InterleavingPoint} and reaches it;
 * tests drive it through {@code org.mmemu.core.testing.CpuThread} and
 * {@code org.mmemu.core.testing.SeededInterleaving}.
 */
package org.mmemu.core.interleave;
