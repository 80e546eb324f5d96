package org.mmemu.kernel.escape;

import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;

/**
 * One way a process makes the kernel allocate memory on its behalf: what it does, in which
 * eras the path exists, how to drive it a step at a time, and the kernel change that made its
 * memory charged to the process's cgroup. {@link EscapeMatrix} drives every path under every
 * era against a cgroup's {@code memory.max}. A new path is one class and one line in
 * {@link EscapePaths#ALL}.
 */
public interface EscapePath {
    /** The short name the command line selects it by ("pipe", "x86-pgtables"). */
    String name();

    /** What the process does, in a sentence (and what stands in for a call the emulator lacks). */
    String description();

    /** The kernel change that got the path's memory charged (or that it never was). */
    KernelChange closedBy();

    /** Whether the path exists in {@code era}: a path it lacks is "n/a" in the matrix. */
    default boolean appliesTo(Era era) {
        return true;
    }

    /** The machine the path needs, from the matrix's {@code base} (an architecture, say). */
    default KernelConfig configure(KernelConfig base) {
        return base;
    }

    /**
     * Prepares a drive by {@code task} (alive, alone in a cgroup at its limit): what the path
     * sets up here (a cache, a mapping) is not measured; every {@link PathDrive#step} is.
     */
    PathDrive start(Kernel kernel, Task task);
}
