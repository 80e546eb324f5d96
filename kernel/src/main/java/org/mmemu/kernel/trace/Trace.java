package org.mmemu.kernel.trace;

import java.util.List;

/** A parsed trace, every line checked: its name (the file's) and its operations in order. */
public record Trace(String name, List<TraceStep> steps) {
    public Trace {
        steps = List.copyOf(steps);
    }
}
