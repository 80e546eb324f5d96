package org.mmemu.kernel.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.kernel.Prot;
import org.mmemu.kernel.trace.op.BpfCreateOp;
import org.mmemu.kernel.trace.op.BpfDeleteOp;
import org.mmemu.kernel.trace.op.BpfLookupOp;
import org.mmemu.kernel.trace.op.BpfUpdateOp;
import org.mmemu.kernel.trace.op.CgreadOp;
import org.mmemu.kernel.trace.op.CgwriteOp;
import org.mmemu.kernel.trace.op.DrainOp;
import org.mmemu.kernel.trace.op.ExitOp;
import org.mmemu.kernel.trace.op.FcntlOp;
import org.mmemu.kernel.trace.op.FdCallOp;
import org.mmemu.kernel.trace.op.ForkOp;
import org.mmemu.kernel.trace.op.KfreeOp;
import org.mmemu.kernel.trace.op.KmallocOp;
import org.mmemu.kernel.trace.op.LoadOp;
import org.mmemu.kernel.trace.op.MkdirOp;
import org.mmemu.kernel.trace.op.MmapOp;
import org.mmemu.kernel.trace.op.MoveOp;
import org.mmemu.kernel.trace.op.MprotectOp;
import org.mmemu.kernel.trace.op.MunmapOp;
import org.mmemu.kernel.trace.op.PipeOp;
import org.mmemu.kernel.trace.op.PipeTransferOp;
import org.mmemu.kernel.trace.op.ReadOp;
import org.mmemu.kernel.trace.op.RmdirOp;
import org.mmemu.kernel.trace.op.SetsockoptOp;
import org.mmemu.kernel.trace.op.SignalOp;
import org.mmemu.kernel.trace.op.SocketpairOp;
import org.mmemu.kernel.trace.op.SpawnOp;
import org.mmemu.kernel.trace.op.StoreOp;
import org.mmemu.kernel.trace.op.WriteOp;
import org.mmemu.net.SockOpt;
import org.mmemu.net.SocketType;

/** The trace format's parser: every operation, comments, and each malformation with its line. */
class TraceParserTest {
    /** A trace of every operation (and a comment, a blank line, a trailing comment). */
    static final String EVERY_OP = """
            # every operation
            mkdir /a
            cgwrite /a/memory.max 8M
            cgread /a/memory.current

            spawn t1 /a
            fork t1 t2            # a trailing comment
            move t2 /
            signal t1 SIGPIPE SIG_IGN
            pipe t1 p
            pipe t1 q
            write t1 p.w 4K 0x5a
            read t2 p.r rand:1K
            tee t1 p.r q.w 4096
            splice t1 q.r p.w 4096
            fcntl t1 p.w F_SETPIPE_SZ 128K
            socketpair t1 s stream
            send t1 s.0 4K rand
            recv t2 s.1 4K
            setsockopt t1 s.0 sndbuf 64K
            bpf-create t1 m array 4 8 16 mmapable
            bpf-update t1 m 3 42 exist
            bpf-lookup t1 m 3
            bpf-delete t1 m 3
            bpf-freeze t1 m
            mmap t1 mm m 4K rw 0
            mprotect t1 mm ro
            load t2 mm 0 8
            store t1 mm 8 8 0xff
            munmap t1 mm
            close t1 q.r
            kmalloc t1 o 64 account
            kfree t1 o
            drain
            kill t2
            exit t1
            rmdir /a
            """;

    @Test
    void everyOperationParsesToItsOpWithItsLineNumber() {
        Trace t = TraceParser.parse("every.trace", EVERY_OP);

        assertThat(t.name()).isEqualTo("every.trace");
        assertThat(t.steps()).extracting(TraceStep::line)
                .containsExactly(2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                        24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37);
        assertThat(t.steps()).extracting(s -> (Class) s.op().getClass()).containsExactly(
                MkdirOp.class, CgwriteOp.class, CgreadOp.class, SpawnOp.class, ForkOp.class, MoveOp.class,
                SignalOp.class, PipeOp.class, PipeOp.class, WriteOp.class, ReadOp.class, PipeTransferOp.class,
                PipeTransferOp.class, FcntlOp.class,
                SocketpairOp.class, WriteOp.class, ReadOp.class, SetsockoptOp.class, BpfCreateOp.class,
                BpfUpdateOp.class, BpfLookupOp.class, BpfDeleteOp.class, FdCallOp.class, MmapOp.class,
                MprotectOp.class, LoadOp.class, StoreOp.class, MunmapOp.class, FdCallOp.class, KmallocOp.class, KfreeOp.class, DrainOp.class,
                ExitOp.class, ExitOp.class, RmdirOp.class);
        assertThat(t.steps().get(4).text()).as("the comment is not the op's").isEqualTo("fork t1 t2");
        // Every registered operation is used above.
        assertThat(t.steps()).extracting(s -> s.text().split(" ")[0]).containsAll(TraceOps.names());
    }

    @Test
    void argumentsAreReadAsTheirTypes() {
        List<TraceStep> s = TraceParser.parse("t", """
                mkdir /a
                spawn t /a
                pipe t p
                write t p.w 4K 0x5a
                write t p.w rand:1M rand
                read t p.r rand
                cgwrite /a/cgroup.subtree_control +memory   -memory
                kmalloc t o 0x10
                fcntl t p.w F_SETPIPE_SZ 1M
                """).steps();

        assertThat(s.get(3).op()).isEqualTo(new WriteOp(WriteOp.Call.WRITE, "t", "p.w", SizeArg.of(4096), FillArg.of(0x5a)));
        assertThat(s.get(4).op()).isEqualTo(new WriteOp(WriteOp.Call.WRITE, "t", "p.w", SizeArg.random(1 << 20),
                FillArg.RANDOM));
        assertThat(s.get(5).op()).isEqualTo(new ReadOp(ReadOp.Call.READ, "t", "p.r", SizeArg.random(4096)));
        assertThat(s.get(6).op()).isEqualTo(new CgwriteOp("/a/cgroup.subtree_control", "+memory -memory"));
        assertThat(s.get(7).op()).isEqualTo(new KmallocOp("t", "o", SizeArg.of(16), false));
        assertThat(s.get(8).op()).isEqualTo(new FcntlOp("t", "p.w", 1 << 20));
    }

    @Test
    void socketAndBpfArgumentsAreReadAsTheirTypes() {
        List<TraceStep> s = TraceParser.parse("t", """
                spawn t /
                socketpair t s dgram
                send t s.1 100 7
                recv t s.0 rand:2K
                setsockopt t s.1 rcvbuf 1M
                bpf-create t h hash 8 16 64 no-prealloc rdonly-prog
                bpf-create t c percpu-array 4 8 2
                bpf-update t h 0x10 99
                bpf-update t h 1 2 noexist
                mmap t ro c 4096 ro 0x1000
                mmap t rw c 8K
                mprotect t rw none
                load t rw 4K rand
                store t rw 0 16 rand
                """).steps();

        assertThat(s.get(1).op()).isEqualTo(new SocketpairOp("t", "s", SocketType.DGRAM));
        assertThat(s.get(2).op()).isEqualTo(new WriteOp(WriteOp.Call.SEND, "t", "s.1", SizeArg.of(100), FillArg.of(7)));
        assertThat(s.get(3).op()).isEqualTo(new ReadOp(ReadOp.Call.RECV, "t", "s.0", SizeArg.random(2048)));
        assertThat(s.get(4).op()).isEqualTo(new SetsockoptOp("t", "s.1", SockOpt.RCVBUF, 1 << 20));
        assertThat(s.get(5).op()).isEqualTo(new BpfCreateOp("t", "h", BpfMapType.HASH, 8, 16, 64,
                BpfMapFlags.NO_PREALLOC | BpfMapFlags.RDONLY_PROG));
        assertThat(s.get(6).op()).isEqualTo(new BpfCreateOp("t", "c", BpfMapType.PERCPU_ARRAY, 4, 8, 2, 0));
        assertThat(s.get(7).op()).isEqualTo(new BpfUpdateOp("t", "h", 16, 99, BpfUpdateFlags.ANY));
        assertThat(s.get(8).op()).isEqualTo(new BpfUpdateOp("t", "h", 1, 2, BpfUpdateFlags.NOEXIST));
        assertThat(s.get(9).op()).isEqualTo(new MmapOp("t", "ro", "c", 4096, Prot.READ, 4096));
        assertThat(s.get(10).op()).isEqualTo(new MmapOp("t", "rw", "c", 8192, Prot.READ | Prot.WRITE, 0));
        assertThat(s.get(11).op()).isEqualTo(new MprotectOp("t", "rw", Prot.NONE));
        assertThat(s.get(12).op()).isEqualTo(new LoadOp("t", "rw", 4096, SizeArg.random(4096)));
        assertThat(s.get(13).op()).isEqualTo(new StoreOp("t", "rw", 0, SizeArg.of(16), FillArg.RANDOM));
    }

    @Test
    void aMapsNumbersAreItsBuffersLittleEndianOneSlotACpuForAPercpuArray() {
        BpfMapShape hash = BpfMapShape.of(4, 2);
        BpfMapShape percpu = BpfMapShape.percpu(4, 2);

        assertThat(hash.key(0x01020304L)).containsExactly(4, 3, 2, 1);
        assertThat(hash.value(0x10203L)).as("the low bytes").containsExactly(3, 2);
        assertThat(hash.show(new byte[] {3, 2})).isEqualTo(Long.toString(0x203));
        assertThat(percpu.value(5)).as("round_up(4, 8) a CPU").containsExactly(5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0);
        assertThat(percpu.show(new byte[] {1, 0, 0, 0, 9, 9, 9, 9, 2, 0, 0, 0, 0, 0, 0, 0})).isEqualTo("1 2");
        assertThat(BpfMapShape.of(16, 16).show(BpfMapShape.of(16, 16).value(-1L >>> 1)))
                .isEqualTo(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void anEmptyTraceHasNoSteps() {
        assertThat(TraceParser.parse("e", "\n# nothing\n   \n").steps()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "frobnicate t1                      | 3 | unknown operation 'frobnicate' (one of mkdir, rmdir",
        "spawn t2                           | 3 | spawn takes 2 arguments, not 1 (usage: spawn TASK CGROUP)",
        "exit t1 now                        | 3 | exit takes 1 argument, not 2 (usage: exit TASK)",
        "write t1 p.w                       | 3 | write takes 3 to 4 arguments, not 2",
        "cgwrite /a/memory.max              | 3 | cgwrite takes 2 or more arguments, not 1",
        "drain now                          | 3 | drain takes 0 arguments, not 1",
        "write t1 p.w lots                  | 3 | 'lots' is not a size (bytes, 0x hex, K/M/G suffixes)",
        "write t1 p.w -1                    | 3 | '-1' is out of range 0..67108864",
        "write t1 p.w 65M                   | 3 | '65M' is out of range 0..67108864",
        "write t1 p.w 4K 256                | 3 | '256' is out of range 0..255",
        "write t1 p.w rand:0                | 3 | 'rand:0' draws from an empty range",
        "write t9 p.w 4K                    | 3 | unknown task 't9'",
        "write t1 z.w 4K                    | 3 | unknown fd 'z.w'",
        "write p.w t1 4K                    | 3 | 'p.w' is an fd (line 2), not a task",
        "write t1 t1 4K                     | 3 | 't1' is a task (line 1), not an fd",
        "spawn t1 /a                        | 3 | 't1' is already the task named on line 1",
        "pipe t1 p                          | 3 | 'p.r' is already the fd named on line 2",
        "fork t1 9lives                     | 3 | '9lives' is not a name",
        "spawn t2 a                         | 3 | 'a' is not a cgroup path (it starts with /)",
        "kmalloc t1 o 64 accounted          | 3 | 'accounted' is not account",
        "kfree t1 o                         | 3 | unknown object 'o'",
        "fcntl t1 p.w F_GETPIPE_SZ 4K       | 3 | 'F_GETPIPE_SZ' is not F_SETPIPE_SZ",
        "signal t1 SIGTERM SIG_IGN          | 3 | 'SIGTERM' is not SIGPIPE",
        "socketpair t1 s seqpacket          | 3 | 'seqpacket' is not stream or dgram",
        "socketpair t1 s.x stream           | 3 | 's.x' is not a name",
        "socketpair t1 s                    | 3 | socketpair takes 3 arguments, not 2",
        "send t1 s.0 4K                     | 3 | unknown fd 's.0'",
        "send t1 p.w 4K 300                 | 3 | '300' is out of range 0..255",
        "recv t1 p.r                        | 3 | recv takes 3 arguments, not 2",
        "setsockopt t1 p.w sndbuff 4K       | 3 | 'sndbuff' is not sndbuf or rcvbuf",
        "setsockopt t1 p.w sndbuf 4G        | 3 | '4G' is out of range 0..2147483647",
        "bpf-create t1 m ringbuf 4 8 1      | 3 | 'ringbuf' is not array or hash or percpu-array",
        "bpf-create t1 m array 4 8          | 3 | bpf-create takes 6 or more arguments, not 5",
        "bpf-create t1 m array 4 eight 1    | 3 | 'eight' is not a number",
        "bpf-create t1 m array -4 8 1       | 3 | '-4' is out of range 0..2147483647",
        "bpf-create t1 m array 4 8 1 mmap   | 3 | 'mmap' is not mmapable or no-prealloc or rdonly-prog",
        "bpf-create t1 t1 array 4 8 1       | 3 | 't1' is already the task named on line 1",
        "bpf-update t1 m 1 2                | 3 | unknown fd 'm'",
        "bpf-update t1 p.w 1 2 always       | 3 | 'always' is not any or noexist or exist",
        "bpf-update t1 p.w 1                | 3 | bpf-update takes 4 to 5 arguments, not 3",
        "bpf-lookup t1 p.w -1               | 3 | '-1' is out of range 0..9223372036854775807",
        "bpf-delete t1 p.w one              | 3 | 'one' is not a number",
        "bpf-freeze t1                      | 3 | bpf-freeze takes 2 arguments, not 1",
        "mmap t1 mm p.w 4K rwx              | 3 | 'rwx' is not ro or rw",
        "mmap t1 mm p.w 4K rw 1Q            | 3 | '1Q' is not a size",
        "mmap t1 mm nofd 4K                 | 3 | unknown fd 'nofd'",
        "mmap t1 t1 p.w 4K                  | 3 | 't1' is already the task named on line 1",
        "munmap t1 mm                       | 3 | unknown mapping 'mm'",
        "munmap t1 p.w                      | 3 | 'p.w' is an fd (line 2), not a mapping",
        "mprotect t1 p.w rw                 | 3 | 'p.w' is an fd (line 2), not a mapping",
        "load t1 mm 0 8                     | 3 | unknown mapping 'mm'",
        "store t1 mm 0 8                    | 3 | unknown mapping 'mm'",
    })
    void aMalformedLineIsRejectedWithItsFileAndLine(String line, int number, String message) {
        String text = "spawn t1 /a\npipe t1 p\n" + line + "\nexit t1\n";
        assertThatThrownBy(() -> TraceParser.parse("bad.trace", text))
                .isInstanceOf(TraceSyntaxException.class)
                .hasMessageStartingWith("bad.trace:" + number + ": " + message);
    }

    @Test
    void theFirstMalformedLineIsTheOneReportedCountingCommentsAndBlankLines() {
        String text = "# a comment\n\nspawn t1 /a\n  bogus\nalso bogus\n";
        assertThatThrownBy(() -> TraceParser.parse("x.trace", text))
                .hasMessageStartingWith("x.trace:4: unknown operation 'bogus'");
    }

    @Test
    void aNameIsKnownOnlyFromTheLineThatGivesIt() {
        assertThatThrownBy(() -> TraceParser.parse("x", "exit t1\nspawn t1 /\n"))
                .hasMessage("x:1: unknown task 't1'");
    }

    @Test
    void theUsageStringGivesEachOperationsArity() {
        assertThat(WriteOp.WRITE.minArgs()).isEqualTo(3);
        assertThat(WriteOp.WRITE.maxArgs()).isEqualTo(4);
        assertThat(CgwriteOp.SPEC.maxArgs()).isEqualTo(Integer.MAX_VALUE);
        assertThat(DrainOp.SPEC.minArgs()).isZero();
        assertThat(DrainOp.SPEC.maxArgs()).isZero();
        assertThat(WriteOp.WRITE).hasToString("write TASK FD LEN [BYTE|rand]");
        assertThat(BpfCreateOp.SPEC.minArgs()).isEqualTo(6);
        assertThat(BpfCreateOp.SPEC.maxArgs()).as("[FLAG...]").isEqualTo(Integer.MAX_VALUE);
        assertThat(MmapOp.SPEC.maxArgs()).isEqualTo(6);
    }
}
