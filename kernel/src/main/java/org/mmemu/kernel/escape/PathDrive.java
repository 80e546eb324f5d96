package org.mmemu.kernel.escape;

import org.mmemu.core.ErrnoException;

/** A path being driven by one process, a step at a time (see {@link EscapePath#start}). */
public interface PathDrive {
    /**
     * One more allocation's worth of the path, made in the process's context.
     *
     * @throws ErrnoException when the call fails (the limit refused it, or the process died)
     */
    void step();

    /**
     * Frees what the steps made that the process's death does not free (objects a stand-in
     * call allocated in the kernel, a page it shared); runs after the process is dead.
     */
    default void release() {
    }
}
