package org.mmemu.kernel.trace;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.KernelBug;
import org.mmemu.kernel.Task;

/**
 * Runs a trace's operations in order on a kernel and prints one line per operation, in the
 * manner of strace: {@code LINE: TEXT = RESULT}, a failed call as {@code = -1 ERRNO}, and
 * {@code [died: t1]} for the tasks the operation ended (an exit, an OOM kill, SIGPIPE). A failed
 * call does not stop the run (a trace records what a program saw) unless
 * {@link #stopOnErrno}; a kernel BUG ({@link KernelBug}) always does, as {@code = BUG: ...}.
 */
public final class TraceRunner {
    private final PrintWriter out;
    private final TraceListener listener;
    private final boolean stopOnErrno;

    /** What a run did: failed calls, whether it stopped early and why. */
    public record Outcome(int steps, int errnos, String stoppedBy) {
        /** Whether an errno (under {@code stopOnErrno}) or a kernel BUG ended the run early. */
        public boolean stopped() {
            return stoppedBy != null;
        }
    }

    public TraceRunner(PrintWriter out, TraceListener listener, boolean stopOnErrno) {
        this.out = out;
        this.listener = listener;
        this.stopOnErrno = stopOnErrno;
    }

    /** Runs {@code trace} in {@code ctx}. */
    public Outcome run(Trace trace, TraceContext ctx) {
        int errnos = 0;
        String stoppedBy = null;
        int index = 0;
        for (TraceStep step : trace.steps()) {
            List<String> alive = alive(ctx);
            String result;
            try {
                result = step.op().run(ctx);
            } catch (ErrnoException e) {
                errnos++;
                result = "-1 " + e.errno();
                if (stopOnErrno) {
                    stoppedBy = trace.name() + ":" + step.line() + ": " + step.text() + " failed with " + e.errno();
                }
            } catch (KernelBug e) {
                result = "BUG: " + e.getMessage();
                stoppedBy = trace.name() + ":" + step.line() + ": " + step.text() + " hit a kernel BUG";
            }
            out.println(step.line() + ": " + step.text() + " = " + result + died(alive, ctx));
            listener.afterStep(index++, step, ctx);
            if (stoppedBy != null) {
                break;
            }
        }
        out.flush();
        return new Outcome(index, errnos, stoppedBy);
    }

    private static List<String> alive(TraceContext ctx) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Task> e : ctx.tasks().entrySet()) {
            if (e.getValue().isAlive()) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    private static String died(List<String> before, TraceContext ctx) {
        List<String> now = alive(ctx);
        List<String> died = new ArrayList<>(before);
        died.removeAll(now);
        return died.isEmpty() ? "" : " [died: " + String.join(" ", died) + "]";
    }
}
