/**
 * Era presets, the syscall facade and the mmemu command line. Filled by the kernel issue.
 */
package org.mmemu.kernel;
