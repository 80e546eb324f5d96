/**
 * The whole emulated kernel: {@link org.mmemu.kernel.Era} presets that select every module's
 * policies for one kernel release, and the {@link org.mmemu.kernel.Kernel} facade that boots a
 * machine of an era ({@link org.mmemu.kernel.KernelConfig}), runs user processes
 * ({@link org.mmemu.kernel.Task}) in its cgroups and checks it when closed. The JUnit 5
 * extension is in {@code org.mmemu.kernel.junit}, the {@code mmemu} command line in
 * {@code org.mmemu.kernel.cli}.
 */
package org.mmemu.kernel;
