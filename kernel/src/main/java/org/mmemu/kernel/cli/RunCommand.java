package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.trace.Trace;
import org.mmemu.kernel.trace.TraceListener;
import org.mmemu.kernel.trace.TraceReplay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mmemu run}: replays a trace (docs/TRACE.md) under one era, printing each operation's
 * result as strace would, then the cgroups the trace made and what the kernel's checks found.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Replay a trace under one era; print each call's result and the cgroups it made.",
            "Each operation's result as strace shows it, then the cgroup files of every cgroup the trace"
                + " made, then the leaks and bad pages the kernel's checks found (docs/TRACE.md)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the trace ran and the kernel closed clean",
            "1:a leak, a bad page or a broken invariant was found, a kernel BUG hit, or --stop-on-errno stopped it",
            "2:bad usage: a bad argument, or a malformed trace (FILE:LINE: message; nothing ran)"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--era", required = true, converter = EraConverter.class, paramLabel = "ERA",
            description = "The kernel to boot: 4.7, 4.8, 4.18, 5.9, 5.10, 5.11 or latest.")
    Era era;

    @Option(names = "--trace", required = true, paramLabel = "FILE", description = "The trace to replay.")
    Path trace;

    @Option(names = "--stop-on-errno", description = "Stop at the first call that fails (exit status 1).")
    boolean stopOnErrno;

    @Mixin
    ReplayOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Trace t = ReplayOptions.parse(trace, "mmemu run", spec.commandLine().getErr());
        if (t == null) {
            return CommandLine.ExitCode.USAGE;
        }
        out.println("# " + t.name() + " under " + era.version() + ", seed " + options.seed);
        TraceReplay.Result r = TraceReplay.run(t, era, options.kernelConfig(), options.seed, stopOnErrno, out,
                TraceListener.NONE);
        out.println("# cgroups");
        r.cgroups().forEach((row, value) -> out.println(row + " " + value));
        out.println("# checks");
        r.kmemleak().forEach(leak -> out.println("kmemleak: " + leak));
        r.problems().forEach(p -> out.println(p.strip()));
        if (r.outcome().stopped()) {
            out.println("stopped: " + r.outcome().stoppedBy());
        }
        out.println(r.clean() ? "clean" : r.leaks() + " leak(s), " + r.badPages() + " bad page(s)");
        out.flush();
        return r.clean() ? CommandLine.ExitCode.OK : 1;
    }
}
