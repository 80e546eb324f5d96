package org.mmemu.kernel.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.kernel.trace.op.CgreadOp;
import org.mmemu.kernel.trace.op.CgwriteOp;
import org.mmemu.kernel.trace.op.CloseOp;
import org.mmemu.kernel.trace.op.DrainOp;
import org.mmemu.kernel.trace.op.ExitOp;
import org.mmemu.kernel.trace.op.FcntlOp;
import org.mmemu.kernel.trace.op.ForkOp;
import org.mmemu.kernel.trace.op.KfreeOp;
import org.mmemu.kernel.trace.op.KmallocOp;
import org.mmemu.kernel.trace.op.MkdirOp;
import org.mmemu.kernel.trace.op.MoveOp;
import org.mmemu.kernel.trace.op.PipeOp;
import org.mmemu.kernel.trace.op.PipeTransferOp;
import org.mmemu.kernel.trace.op.ReadOp;
import org.mmemu.kernel.trace.op.RmdirOp;
import org.mmemu.kernel.trace.op.SignalOp;
import org.mmemu.kernel.trace.op.SpawnOp;
import org.mmemu.kernel.trace.op.WriteOp;

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
                .containsExactly(2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
        assertThat(t.steps()).extracting(s -> (Class) s.op().getClass()).containsExactly(
                MkdirOp.class, CgwriteOp.class, CgreadOp.class, SpawnOp.class, ForkOp.class, MoveOp.class,
                SignalOp.class, PipeOp.class, PipeOp.class, WriteOp.class, ReadOp.class, PipeTransferOp.class,
                PipeTransferOp.class, FcntlOp.class, CloseOp.class, KmallocOp.class, KfreeOp.class, DrainOp.class,
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

        assertThat(s.get(3).op()).isEqualTo(new WriteOp("t", "p.w", SizeArg.of(4096), 0x5a));
        assertThat(s.get(4).op()).isEqualTo(new WriteOp("t", "p.w", SizeArg.random(1 << 20), WriteOp.RANDOM_BYTES));
        assertThat(s.get(5).op()).isEqualTo(new ReadOp("t", "p.r", SizeArg.random(4096)));
        assertThat(s.get(6).op()).isEqualTo(new CgwriteOp("/a/cgroup.subtree_control", "+memory -memory"));
        assertThat(s.get(7).op()).isEqualTo(new KmallocOp("t", "o", SizeArg.of(16), false));
        assertThat(s.get(8).op()).isEqualTo(new FcntlOp("t", "p.w", 1 << 20));
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
        assertThat(WriteOp.SPEC.minArgs()).isEqualTo(3);
        assertThat(WriteOp.SPEC.maxArgs()).isEqualTo(4);
        assertThat(CgwriteOp.SPEC.maxArgs()).isEqualTo(Integer.MAX_VALUE);
        assertThat(DrainOp.SPEC.minArgs()).isZero();
        assertThat(DrainOp.SPEC.maxArgs()).isZero();
        assertThat(WriteOp.SPEC).hasToString("write TASK FD LEN [BYTE|rand]");
    }
}
