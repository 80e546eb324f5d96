package org.mmemu.kernel.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.kernel.trace.op.DrainOp;
import org.mmemu.slab.Kmalloc;

/** Each operation run on a kernel, as the trace's output shows it; every era's kernel closed and checked. */
class TraceRunnerTest {
    private TraceRunner.Outcome outcome;
    private TraceContext ctx;

    /** Runs {@code text} on {@code k}; the output's lines. */
    private List<String> run(Kernel k, String text, boolean stopOnErrno) {
        StringWriter out = new StringWriter();
        ctx = new TraceContext(k, 1);
        outcome = new TraceRunner(new PrintWriter(out), TraceListener.NONE, stopOnErrno)
                .run(TraceParser.parse("t.trace", text), ctx);
        return out.toString().lines().toList();
    }

    private List<String> run(Kernel k, String text) {
        return run(k, text, false);
    }

    @Eras(memory = "64M")
    void eachLineShowsWhatTheCallReturnedAfterItsLineNumber(Kernel k) {
        List<String> out = run(k, """
                mkdir /a
                spawn t1 /a
                pipe t1 p
                fork t1 t2
                write t1 p.w 5000
                read t2 p.r 4096      # t2 shares t1's fds
                tee t1 p.r p.w 10
                fcntl t1 p.w F_SETPIPE_SZ 100K
                cgwrite /a/memory.high 8M
                cgread /a/memory.high
                close t1 p.w
                read t2 p.r 8192
                """);

        assertThat(out).containsExactly(
                "1: mkdir /a = 0",
                "2: spawn t1 /a = " + ctx.task("t1").pid(),
                "3: pipe t1 p = 0 (p.r=" + ctx.fd("p.r") + " p.w=" + ctx.fd("p.w") + ")",
                "4: fork t1 t2 = " + ctx.task("t2").pid(),
                "5: write t1 p.w 5000 = 5000",
                "6: read t2 p.r 4096 = 4096",
                "7: tee t1 p.r p.w 10 = -1 EINVAL",
                "8: fcntl t1 p.w F_SETPIPE_SZ 100K = 131072",
                "9: cgwrite /a/memory.high 8M = 2",
                "10: cgread /a/memory.high = 8388608",
                "11: close t1 p.w = 0",
                "12: read t2 p.r 8192 = 904");
        assertThat(ctx.task("t2").pid()).isEqualTo(ctx.task("t1").pid() + 1);
        assertThat(outcome.errnos()).isEqualTo(1);
        assertThat(outcome.stopped()).isFalse();
    }

    @Eras(memory = "64M")
    void aFailedCallShowsItsErrnoAndTheTraceGoesOn(Kernel k) {
        List<String> out = run(k, """
                spawn t /
                pipe t p
                read t p.r 10
                rmdir /nope
                cgwrite /memory.max 1M
                spawn u /nope
                exit u
                write t p.w 3
                """);

        assertThat(out).containsExactly(
                "1: spawn t / = " + ctx.task("t").pid(), "2: pipe t p = 0 (p.r=0 p.w=1)",
                "3: read t p.r 10 = -1 EAGAIN", "4: rmdir /nope = -1 ENOENT", "5: cgwrite /memory.max 1M = -1 ENOENT",
                "6: spawn u /nope = -1 ENOENT", "7: exit u = -1 ESRCH", "8: write t p.w 3 = 3");
        assertThat(outcome.errnos()).isEqualTo(5);
    }

    @Eras(memory = "64M")
    void stopOnErrnoEndsTheRunAtTheFirstFailedCall(Kernel k) {
        List<String> out = run(k, "spawn t /\nexit t\nexit t\nspawn u /\n", true);

        assertThat(out).hasSize(3).last().isEqualTo("3: exit t = -1 ESRCH");
        assertThat(outcome.stoppedBy()).isEqualTo("t.trace:3: exit t failed with ESRCH");
        assertThat(k.tasks()).isEmpty();
    }

    @Eras(memory = "64M")
    void theTasksAnOperationEndedAreNamed(Kernel k) {
        List<String> out = run(k, """
                spawn a /
                pipe a p
                fork a b
                fork a c
                close a p.r
                close b p.r
                close c p.r
                write b p.w 1         # no reader left: SIGPIPE kills b
                signal c SIGPIPE SIG_IGN
                write c p.w 1         # ignored: only EPIPE
                kill a
                """);

        assertThat(out).contains("8: write b p.w 1 = -1 EPIPE [died: b]", "10: write c p.w 1 = -1 EPIPE",
                "11: kill a = 0 [died: a]");
        assertThat(ctx.task("c").isAlive()).isTrue();
    }

    @Eras(memory = "64M")
    void spliceMovesWholeBuffersBetweenPipes(Kernel k) {
        List<String> out = run(k, "spawn t /\npipe t p\npipe t q\nwrite t p.w 8K\nsplice t p.r q.w 8K\nread t q.r 8K\n"
                + "read t p.r 1\n");

        assertThat(out).endsWith("5: splice t p.r q.w 8K = 8192", "6: read t q.r 8K = 8192", "7: read t p.r 1 = -1 EAGAIN");
    }

    @Eras(memory = "64M")
    void cgroupsAreFollowedFromTheirMkdirAndMovesAndRemovalsRun(Kernel k) {
        List<String> out = run(k, "mkdir /a\nmkdir /b\nspawn t /a\nmove t /b\nrmdir /a\nrmdir /b\n");

        assertThat(out).endsWith("4: move t /b = 0", "5: rmdir /a = 0", "6: rmdir /b = -1 EBUSY");
        assertThat(ctx.cgroups()).containsOnlyKeys("/a", "/b");
        assertThat(k.cgroupfs().read("/b/cgroup.procs").trim()).isEqualTo(Integer.toString(ctx.task("t").pid()));
    }

    @Eras(memory = "64M")
    void kmallocGivesAnAddressAndTheObjectsNeverFreedAreKnown(Kernel k) {
        List<String> out = run(k, "spawn t /\nkmalloc t a 64\nkmalloc t b 100K account\nkfree t a\n");

        assertThat(out.get(1)).isEqualTo("2: kmalloc t a 64 = 0x" + Long.toHexString(ctx.object("a")));
        assertThat(ctx.object("a")).isNotZero();
        assertThat(ctx.unfreedObjects()).containsOnlyKeys("b");
        k.get(Kmalloc.class).kfree(ctx.object("b"));
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void anAccountedKmallocIsChargedToTheTasksCgroupFrom59(Kernel k) {
        run(k, "mkdir /a\nspawn t /a\nkmalloc t o 512 account\nkmalloc t plain 512\ndrain\n");

        // obj_full_size: the object and its obj_cgroup pointer; the GFP_KERNEL one is not charged.
        assertThat(k.cgroupfs().stat("/a", "slab")).isBetween(512L, 512L + Long.BYTES);
        k.get(Kmalloc.class).kfree(ctx.object("o"));
        k.get(Kmalloc.class).kfree(ctx.object("plain"));
    }

    @Eras(memory = "64M")
    void randomLengthsAreDrawnFromTheSeedAndShown(Kernel k) {
        List<String> out = run(k, "spawn t /\npipe t p\n" + "write t p.w rand:4K rand\nread t p.r rand:4K\n".repeat(8));

        assertThat(out.subList(2, out.size())).allMatch(l -> l.matches(".* = \\d+ \\(len \\d+\\)"), "shows its length");
        List<Long> lens = out.subList(2, out.size()).stream()
                .map(l -> Long.parseLong(l.replaceAll(".*\\(len (\\d+)\\)", "$1"))).toList();
        assertThat(lens).allMatch(n -> n >= 1 && n <= 4096);
        assertThat(lens.stream().distinct().count()).as("drawn, not fixed").isGreaterThan(1);
    }

    @Eras(memory = "64M")
    void drainGivesTheStocksBack(Kernel k) {
        run(k, "mkdir /a\nspawn t /a\npipe t p\nwrite t p.w 4K\n");
        long stocked = k.cgroupfs().readLong("/a/memory.current");
        run(k, "drain\n");
        long drained = k.cgroupfs().readLong("/a/memory.current");
        assertThat(drained).isLessThanOrEqualTo(stocked).isNotNegative();
        assertThat(drained % MemMap.PAGE_SIZE).isZero();
    }

    @Eras(memory = "64M")
    void aKernelBugStopsTheRunOnItsLine(Kernel k) {
        Trace bug = new Trace("b.trace", List.of(
                new TraceStep(1, "boom", c -> {
                    throw new KernelBug("kernel BUG at mm/slub.c:4118!");
                }),
                new TraceStep(2, "drain", new DrainOp())));
        StringWriter out = new StringWriter();

        TraceRunner.Outcome o = new TraceRunner(new PrintWriter(out), TraceListener.NONE, false)
                .run(bug, new TraceContext(k, 1));

        assertThat(out.toString()).isEqualTo("1: boom = BUG: kernel BUG at mm/slub.c:4118!\n");
        assertThat(o.stoppedBy()).isEqualTo("b.trace:1: boom hit a kernel BUG");
        assertThat(o.steps()).isEqualTo(1);
    }

    @Eras(memory = "64M")
    void memoryCurrentIsSampledAfterEveryOperationFromTheCgroupsMkdir(Kernel k) {
        MemoryCurrentSamples samples = new MemoryCurrentSamples();
        ctx = new TraceContext(k, 1);
        List<Long> current = new ArrayList<>();
        TraceListener both = (i, step, c) -> {
            samples.afterStep(i, step, c);
            if (c.cgroups().containsKey("/a")) {
                current.add(k.cgroupfs().readLong("/a/memory.current"));
            }
        };
        new TraceRunner(new PrintWriter(new StringWriter()), both, false).run(TraceParser.parse("s", """
                spawn t /
                mkdir /a
                spawn u /a
                pipe u p
                write u p.w 64K
                drain
                """), ctx);

        assertThat(samples.series()).containsOnlyKeys("/a");
        assertThat(samples.series().get("/a").steps()).containsExactly(2, 3, 4, 5, 6);
        assertThat(samples.series().get("/a").bytes()).isEqualTo(current);
    }
}
