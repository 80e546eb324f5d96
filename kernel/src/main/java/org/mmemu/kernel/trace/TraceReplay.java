package org.mmemu.kernel.trace;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mmemu.core.check.ConsistencyFailure;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;

/**
 * One replay of a trace under one era: boots the kernel, runs the trace ({@link TraceRunner}),
 * reads the cgroups it made ({@link CgroupReport}), lists the kmalloc objects it never freed
 * (as {@code kmemleak} reports them), and closes the kernel, keeping the problems its checks
 * found (leaks, bad pages) instead of throwing them.
 */
public final class TraceReplay {
    /** The start of a problem that is an undeclared bad-page report (the checks' wording). */
    private static final String BAD_PAGE = "unexpected bad page";

    /** What a replay found. */
    public record Result(Era era, TraceRunner.Outcome outcome, Map<String, String> cgroups,
                         List<String> kmemleak, List<String> problems) {
        /** Bad-page reports nobody expected. */
        public long badPages() {
            return problems.stream().filter(p -> p.startsWith(BAD_PAGE)).count();
        }

        /** Leaks and broken invariants: unfreed objects and every other problem of the checks. */
        public long leaks() {
            return kmemleak.size() + problems.size() - badPages();
        }

        /** Whether it ran to the end and nothing leaked or broke: exit status 0. */
        public boolean clean() {
            return !outcome.stopped() && kmemleak.isEmpty() && problems.isEmpty();
        }
    }

    private TraceReplay() {
    }

    /**
     * Replays {@code trace} on a new kernel of {@code era}, printing each operation's line to
     * {@code out} and telling {@code listener} after each.
     */
    public static Result run(Trace trace, Era era, KernelConfig config, long seed, boolean stopOnErrno,
                             PrintWriter out, TraceListener listener) {
        Kernel kernel = Kernel.boot(era, config);
        TraceRunner.Outcome outcome;
        Map<String, String> cgroups;
        List<String> kmemleak = new ArrayList<>();
        try {
            TraceContext ctx = new TraceContext(kernel, seed);
            outcome = new TraceRunner(out, listener, stopOnErrno).run(trace, ctx);
            cgroups = CgroupReport.of(ctx);
            ctx.unfreedObjects().forEach((name, address) ->
                    kmemleak.add("unreferenced object 0x" + Long.toHexString(address) + " (" + name + ")"));
        } catch (RuntimeException | Error e) {
            closeAfter(kernel, e);
            throw e;
        }
        List<String> problems = List.of();
        try {
            kernel.close();
        } catch (ConsistencyFailure f) {
            problems = f.problems();
        }
        return new Result(era, outcome, cgroups, List.copyOf(kmemleak), problems);
    }

    /** Closes the kernel after {@code e} ended the run, keeping what the close found beside it. */
    private static void closeAfter(Kernel kernel, Throwable e) {
        try {
            kernel.close();
        } catch (RuntimeException | Error closing) {
            e.addSuppressed(closing);
        }
    }
}
