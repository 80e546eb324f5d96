package org.mmemu.kernel.trace;

import java.io.InputStream;
import java.util.List;

/**
 * The built-in workloads of {@code mmemu compare}: traces bundled as resources
 * ({@code org/mmemu/kernel/trace/workloads/NAME.trace}), each opening with a comment that says
 * what it does.
 */
public final class Workloads {
    /** Every built-in workload, by name. */
    public static final List<String> NAMES = List.of("pipe-storm", "slab-churn", "dying-cgroups", "socket-storm",
            "foreign-bpf");

    private Workloads() {
    }

    /** Whether {@code name} is a built-in workload. */
    public static boolean has(String name) {
        return NAMES.contains(name);
    }

    /** The built-in workload {@code name}, parsed; its messages name it {@code NAME.trace}. */
    public static Trace load(String name) {
        if (!has(name)) {
            throw new IllegalArgumentException("no built-in workload '" + name + "'");
        }
        return TraceParser.parse(name + ".trace", open(name));
    }

    /** The text of the built-in workload {@code name}. */
    public static InputStream open(String name) {
        InputStream in = Workloads.class.getResourceAsStream("workloads/" + name + ".trace");
        if (in == null) {
            throw new IllegalStateException("workload " + name + " is not bundled");
        }
        return in;
    }
}
