package org.mmemu.kernel.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Cpus;
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

    @Eras(memory = "64M")
    void socketCallsShowTheirBytesAndErrnos(Kernel k) {
        List<String> out = run(k, """
                spawn t /
                socketpair t s stream
                socketpair t d dgram
                pipe t p
                setsockopt t s.0 sndbuf 64K
                send t s.0 6000 rand
                recv t s.1 4K
                recv t s.1 4K
                recv t s.1 4K
                send t d.1 100
                recv t d.0 50         # the rest of the datagram is gone
                recv t d.0 50
                send t p.w 1
                setsockopt t p.w rcvbuf 4K
                close t s.1
                send t s.0 1          # EPIPE, and SIGPIPE kills t
                """);

        assertThat(out.subList(1, out.size())).containsExactly(
                "2: socketpair t s stream = 0 (s.0=" + ctx.fd("s.0") + " s.1=" + ctx.fd("s.1") + ")",
                "3: socketpair t d dgram = 0 (d.0=" + ctx.fd("d.0") + " d.1=" + ctx.fd("d.1") + ")",
                "4: pipe t p = 0 (p.r=" + ctx.fd("p.r") + " p.w=" + ctx.fd("p.w") + ")",
                "5: setsockopt t s.0 sndbuf 64K = 0",
                "6: send t s.0 6000 rand = 6000",
                "7: recv t s.1 4K = 4096",
                "8: recv t s.1 4K = 1904",
                "9: recv t s.1 4K = -1 EAGAIN",
                "10: send t d.1 100 = 100",
                "11: recv t d.0 50 = 50",
                "12: recv t d.0 50 = -1 EAGAIN",
                "13: send t p.w 1 = -1 ENOTSOCK",
                "14: setsockopt t p.w rcvbuf 4K = -1 ENOTSOCK",
                "15: close t s.1 = 0",
                "16: send t s.0 1 = -1 EPIPE [died: t]");
        assertThat(ctx.fd("s.1")).isEqualTo(ctx.fd("s.0") + 1);
    }

    @Eras(memory = "64M")
    void bpfElementsAreNumbersStoredAndShownWithTheKernelsErrnos(Kernel k) {
        List<String> out = run(k, """
                spawn t /
                bpf-create t a array 4 8 4
                bpf-update t a 1 0x1234
                bpf-lookup t a 1
                bpf-lookup t a 2        # an array's elements are there, zeroed
                bpf-update t a 4 1      # past max_entries
                bpf-update t a 1 1 noexist
                bpf-delete t a 1
                bpf-create t h hash 8 8 2 no-prealloc
                bpf-update t h 7 70
                bpf-update t h 7 71 noexist
                bpf-update t h 8 80 exist
                bpf-update t h 9 90
                bpf-update t h 10 100   # full
                bpf-lookup t h 7
                bpf-delete t h 7
                bpf-lookup t h 7
                bpf-delete t h 7
                bpf-create t c percpu-array 4 4 2
                bpf-update t c 0 5
                bpf-lookup t c 0
                bpf-create t z hash 0 8 1
                bpf-update t z 1 1
                close t a
                bpf-lookup t a 1
                """);

        assertThat(out.subList(1, out.size())).containsExactly(
                "2: bpf-create t a array 4 8 4 = " + ctx.fd("a"),
                "3: bpf-update t a 1 0x1234 = 0",
                "4: bpf-lookup t a 1 = " + 0x1234,
                "5: bpf-lookup t a 2 = 0",
                "6: bpf-update t a 4 1 = -1 E2BIG",
                "7: bpf-update t a 1 1 noexist = -1 EEXIST",
                "8: bpf-delete t a 1 = -1 EINVAL",
                "9: bpf-create t h hash 8 8 2 no-prealloc = " + ctx.fd("h"),
                "10: bpf-update t h 7 70 = 0",
                "11: bpf-update t h 7 71 noexist = -1 EEXIST",
                "12: bpf-update t h 8 80 exist = -1 ENOENT",
                "13: bpf-update t h 9 90 = 0",
                "14: bpf-update t h 10 100 = -1 E2BIG",
                "15: bpf-lookup t h 7 = 70",
                "16: bpf-delete t h 7 = 0",
                "17: bpf-lookup t h 7 = -1 ENOENT",
                "18: bpf-delete t h 7 = -1 ENOENT",
                "19: bpf-create t c percpu-array 4 4 2 = " + ctx.fd("c"),
                "20: bpf-update t c 0 5 = 0",
                "21: bpf-lookup t c 0 = " + String.join(" ", Collections.nCopies(k.get(Cpus.class).nrCpus(), "5")),
                "22: bpf-create t z hash 0 8 1 = -1 EINVAL",
                "23: bpf-update t z 1 1 = -1 EBADF",
                "24: close t a = 0",
                "25: bpf-lookup t a 1 = -1 EBADF");
    }

    @Eras({Era.V4_7, Era.V4_8, Era.V4_18})
    void freezeAndMmapableArraysAreNotThereBefore5(Kernel k) {
        List<String> out = run(k, """
                spawn t /
                bpf-create t a array 4 8 1
                bpf-freeze t a
                bpf-create t m array 4 4096 1 mmapable
                mmap t mm m 4K
                load t mm 0 8
                munmap t mm
                """);

        assertThat(out.subList(2, out.size())).containsExactly(
                "3: bpf-freeze t a = -1 EINVAL",
                "4: bpf-create t m array 4 4096 1 mmapable = -1 EINVAL",
                "5: mmap t mm m 4K = -1 EBADF",
                "6: load t mm 0 8 = -1 EFAULT",
                "7: munmap t mm = -1 EINVAL");
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aMappingIsReadAndWrittenByItsNameInTheParentAndTheFork(Kernel k) {
        List<String> out = run(k, """
                spawn t /
                bpf-create t m array 4 4096 2 mmapable
                mmap t mm m 8K
                store t mm 4096 8 0x2a
                bpf-lookup t m 1      # what the store wrote, as the map sees it
                bpf-update t m 0 0x0102
                fork t c
                load c mm 0 4         # the fork's copy, at the same address
                munmap t mm
                load t mm 0 4
                mprotect c mm ro
                store c mm 0 1
                mprotect c mm rw
                bpf-freeze t m        # c's writable mapping
                munmap c mm
                bpf-freeze t m
                mmap t w m 4K rw
                mmap t r m 4K ro 4K
                load t r 0 8
                bpf-update t m 0 1
                """);

        assertThat(out.subList(2, out.size())).containsExactly(
                "3: mmap t mm m 8K = 0x" + Long.toHexString(ctx.mapping("mm").address()),
                "4: store t mm 4096 8 0x2a = 0",
                "5: bpf-lookup t m 1 = " + Long.parseUnsignedLong("2a".repeat(8), 16),
                "6: bpf-update t m 0 0x0102 = 0",
                "7: fork t c = " + ctx.task("c").pid(),
                "8: load c mm 0 4 = 02010000",
                "9: munmap t mm = 0",
                "10: load t mm 0 4 = -1 EFAULT",
                "11: mprotect c mm ro = 0",
                "12: store c mm 0 1 = -1 EFAULT",
                "13: mprotect c mm rw = 0",
                "14: bpf-freeze t m = -1 EBUSY",
                "15: munmap c mm = 0",
                "16: bpf-freeze t m = 0",
                "17: mmap t w m 4K rw = -1 EPERM",
                "18: mmap t r m 4K ro 4K = 0x" + Long.toHexString(ctx.mapping("r").address()),
                "19: load t r 0 8 = " + "2a".repeat(8),
                "20: bpf-update t m 0 1 = -1 EPERM");
        assertThat(ctx.mapping("w").address()).isEqualTo(TraceContext.MAP_FAILED);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aLongLoadShowsItsFirstBytesAndItsCount(Kernel k) {
        List<String> out = run(k, """
                spawn t /
                bpf-create t m array 4 4096 1 mmapable
                mmap t mm m 4K
                store t mm 0 rand:4K 0x11
                load t mm 0 4K
                """);

        assertThat(out.get(3)).matches("4: store t mm 0 rand:4K 0x11 = 0 \\(len \\d+\\)");
        assertThat(out.get(4)).isEqualTo("5: load t mm 0 4K = " + "11".repeat(16) + "... (4096 bytes)");
    }
}
