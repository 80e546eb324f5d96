/**
 * The whole emulated kernel: {@link org.mmemu.kernel.Era} presets that select every module's
 * policies for one kernel release, and the {@link org.mmemu.kernel.Kernel} facade that boots a
 * machine of an era and runs user tasks in its cgroups. The {@code mmemu} command line is in
 * {@code org.mmemu.kernel.cli}.
 */
package org.mmemu.kernel;
