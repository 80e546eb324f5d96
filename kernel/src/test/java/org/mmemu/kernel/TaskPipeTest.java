package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.cred.Creds;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.pipe.PipeSysctl;

/** A pipe's calls through the facade, without blocking, in every era. */
class TaskPipeTest {
    private static final int PAGE = MemMap.PAGE_SIZE;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Errno errno(Runnable call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("no errno");
    }

    private static long current(Kernel k, String cgroup) {
        k.drainAllStock();
        return k.cgroupfs().readLong(cgroup + "/memory.current");
    }

    @Eras
    void bytesComeOutInOrderAcrossPartialReads(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();
        t.write(p[1], bytes("hello, "));
        t.write(p[1], bytes("pipe"));

        assertThat(t.read(p[0], 3)).isEqualTo(bytes("hel"));
        assertThat(t.read(p[0], 100)).isEqualTo(bytes("lo, pipe"));
    }

    @Eras
    void anEmptyPipeIsEagainWithWritersAndEndOfFileWithout(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();

        assertThat(errno(() -> t.read(p[0], 10))).isEqualTo(Errno.EAGAIN);
        t.close(p[1]);
        assertThat(t.read(p[0], 10)).isEmpty();
    }

    @Eras
    void aFullPipeTakesWhatFitsThenEagain(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();
        int capacity = PipeSysctl.PIPE_DEF_BUFFERS * PAGE;

        assertThat(t.write(p[1], new byte[capacity + 100])).isEqualTo(capacity);
        assertThat(errno(() -> t.write(p[1], new byte[1]))).isEqualTo(Errno.EAGAIN);
        assertThat(t.read(p[0], capacity + 100)).hasSize(capacity);
    }

    @Eras
    void aWriteWithoutReadersIsEpipeAndSigpipeKills(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();
        t.close(p[0]);

        assertThat(errno(() -> t.write(p[1], bytes("x")))).isEqualTo(Errno.EPIPE);
        assertThat(t.isAlive()).as("SIGPIPE's default action").isFalse();
    }

    @Eras
    void aTaskIgnoringSigpipeOnlyGetsEpipe(Kernel k) {
        Task t = k.spawn("/");
        t.ignoreSigpipe();
        Task child = t.fork();
        int[] p = child.pipe();
        child.close(p[0]);

        assertThat(errno(() -> child.write(p[1], bytes("x")))).isEqualTo(Errno.EPIPE);
        assertThat(child.isAlive()).as("the disposition is inherited over fork").isTrue();
    }

    @Eras(from = Era.V4_8)
    void smallWritesMergeIntoOnePage(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        int[] p = t.pipe();
        long a0 = current(k, "/a");

        for (int i = 0; i < 10; i++) {
            t.write(p[1], new byte[100]);
        }

        assertThat(current(k, "/a") - a0).isEqualTo(PAGE);
        assertThat(t.read(p[0], 2 * PAGE)).hasSize(1000);
    }

    @Eras(from = Era.V4_8)
    void theSparePageIsReusedByTheNextWrite(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        int[] p = t.pipe();
        t.write(p[1], new byte[PAGE]);
        t.read(p[0], PAGE);
        long withSpare = current(k, "/a");

        t.write(p[1], new byte[PAGE]);

        assertThat(current(k, "/a")).isEqualTo(withSpare);
    }

    @Eras
    void setPipeSizeRoundsUpToAPowerOfTwoOfPages(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();

        assertThat(t.fcntlSetPipeSize(p[1], 3 * PAGE + 1)).isEqualTo(4 * PAGE);
        assertThat(t.write(p[1], new byte[8 * PAGE])).isEqualTo(4 * PAGE);
    }

    @Eras
    void shrinkingBelowWhatIsQueuedIsEbusy(Kernel k) {
        Task t = k.spawn("/");
        int[] p = t.pipe();
        t.write(p[1], new byte[3 * PAGE]);

        assertThat(errno(() -> t.fcntlSetPipeSize(p[0], 2 * PAGE))).isEqualTo(Errno.EBUSY);
        assertThat(t.fcntlSetPipeSize(p[0], 4 * PAGE)).isEqualTo(4 * PAGE);
        assertThat(t.read(p[0], 4 * PAGE)).hasSize(3 * PAGE);
    }

    @Eras
    void aboveMaxSizeNeedsCapSysResource(Kernel k) {
        Task root = k.spawn("/");
        int[] p = root.pipe();
        long max = k.get(PipeSysctl.class).maxSize();
        assertThat(root.fcntlSetPipeSize(p[0], 2 * max)).isEqualTo(2 * max);

        Task user = root.fork();
        assertThat(k.get(Creds.class).setuid(user.taskStruct(), 1000)).isZero();
        int[] q = user.pipe();
        assertThat(errno(() -> user.fcntlSetPipeSize(q[0], 2 * max))).isEqualTo(Errno.EPERM);
        assertThat(user.fcntlSetPipeSize(q[0], max)).isEqualTo(max);
    }

    @Eras
    void aUserOverTheHardLimitGetsNoPipe(Kernel k) {
        k.get(PipeSysctl.class).setUserPagesHard(PipeSysctl.PIPE_DEF_BUFFERS);
        Task user = k.spawn("/");
        assertThat(k.get(Creds.class).setuid(user.taskStruct(), 1000)).isZero();
        user.pipe();

        assertThat(errno(user::pipe)).isEqualTo(Errno.ENFILE);
    }

    @Eras
    void aUserOverTheSoftLimitGetsOneSlotPipes(Kernel k) {
        k.get(PipeSysctl.class).setUserPagesSoft(PipeSysctl.PIPE_DEF_BUFFERS);
        Task user = k.spawn("/");
        assertThat(k.get(Creds.class).setuid(user.taskStruct(), 1000)).isZero();
        int[] first = user.pipe();
        int[] small = user.pipe();

        assertThat(user.write(first[1], new byte[2 * PAGE])).isEqualTo(2 * PAGE);
        assertThat(user.write(small[1], new byte[2 * PAGE])).isEqualTo(PAGE);
        assertThat(errno(() -> user.fcntlSetPipeSize(small[1], 2 * PAGE))).as("no growing over a limit")
                .isEqualTo(Errno.EPERM);
    }

    @Eras
    void teeLeavesTheInPipeAsItWasAndSpliceMovesItsBuffers(Kernel k) {
        Task t = k.spawn("/");
        int[] in = t.pipe();
        int[] teed = t.pipe();
        int[] spliced = t.pipe();
        t.write(in[1], bytes("abcdef"));

        assertThat(t.tee(in[0], teed[1], 4)).isEqualTo(4);
        assertThat(t.splice(in[0], spliced[1], 100)).isEqualTo(6);

        assertThat(t.read(teed[0], 100)).isEqualTo(bytes("abcd"));
        assertThat(t.read(spliced[0], 100)).isEqualTo(bytes("abcdef"));
        assertThat(errno(() -> t.read(in[0], 100))).isEqualTo(Errno.EAGAIN);
        assertThat(errno(() -> t.tee(in[0], in[1], 1))).isEqualTo(Errno.EINVAL);
    }

    @Eras
    void aPartialSpliceSharesThePageAndLeavesTheRest(Kernel k) {
        Task t = k.spawn("/");
        int[] in = t.pipe();
        int[] out = t.pipe();
        t.write(in[1], bytes("abcdef"));

        assertThat(t.splice(in[0], out[1], 2)).isEqualTo(2);

        assertThat(t.read(out[0], 100)).isEqualTo(bytes("ab"));
        assertThat(t.read(in[0], 100)).isEqualTo(bytes("cdef"));
    }

    @Eras
    void teeIntoAPipeWithoutReadersIsEpipe(Kernel k) {
        Task t = k.spawn("/");
        t.ignoreSigpipe();
        int[] in = t.pipe();
        int[] out = t.pipe();
        t.write(in[1], bytes("x"));
        t.close(out[0]);

        assertThat(errno(() -> t.tee(in[0], out[1], 1))).isEqualTo(Errno.EPIPE);
        assertThat(errno(() -> t.splice(in[0], out[1], 1))).isEqualTo(Errno.EPIPE);
        assertThat(t.read(in[0], 100)).as("nothing was taken").isEqualTo(bytes("x"));
    }

    @Eras({Era.V4_7, Era.V4_8, Era.V4_18})
    void untilFiveAWriteToATeedPipeAppendsToTheSharedPage(Kernel k) {
        assertThat(appendedAfterTee(k)).isEqualTo(bytes("abY"));
    }

    @Eras(from = Era.V5_9)
    void fromFiveATeedBufferTakesNoMergedWrites(Kernel k) {
        assertThat(appendedAfterTee(k)).isEqualTo(bytes("abX"));
    }

    /** tee "ab", write "X" to the copy, "Y" to the original: what the copy reads. */
    private static byte[] appendedAfterTee(Kernel k) {
        Task t = k.spawn("/");
        int[] in = t.pipe();
        int[] out = t.pipe();
        t.write(in[1], bytes("ab"));
        t.tee(in[0], out[1], 2);
        t.write(out[1], bytes("X"));
        t.write(in[1], bytes("Y"));
        return t.read(out[0], 100);
    }
}
