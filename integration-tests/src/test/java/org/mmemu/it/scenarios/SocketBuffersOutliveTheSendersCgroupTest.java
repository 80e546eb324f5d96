package org.mmemu.it.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.scenarios.Counters.charged;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.net.SocketType;

/**
 * AF_UNIX buffers sent from {@code /p/a}, whose process then exits and whose cgroup is removed
 * while the skbs wait in the receiver's queue; a process of {@code /p/b} receives them. The skbs
 * stay charged to the dying {@code /p/a} (and so to {@code /p}) until the receiver frees them,
 * then leave {@code /p}'s counter exactly once ({@code consume_skb} → {@code sock_wfree},
 * {@code kfree} / {@code put_page} uncharging the cgroup recorded at allocation); {@code /p/b}
 * pays for nothing. Up to 4.7 nothing is charged at all.
 */
class SocketBuffersOutliveTheSendersCgroupTest {
    private static final int SIZE = 64 << 10;

    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void theReceiverFreesADyingCgroupsBuffersOnce(Kernel k) {
        byte[] data = new byte[SIZE];
        new Random(16).nextBytes(data);
        for (SocketType type : SocketType.values()) {
            String p = "/p" + type.name().toLowerCase(Locale.ROOT);
            k.cgroupfs().mkdir(p);
            k.cgroupfs().write(p + "/cgroup.subtree_control", "+memory");
            k.cgroupfs().mkdir(p + "/a");
            k.cgroupfs().mkdir(p + "/b");
            Task sender = k.spawn(p + "/a");
            int[] sv = sender.socketpair(type);
            Task receiver = sender.fork();
            receiver.moveTo(p + "/b");
            receiver.close(sv[0]);
            long p0 = charged(k, p);
            long b0 = charged(k, p + "/b");
            long a0 = p0 - b0;

            for (int sent = 0; sent < SIZE; ) {
                byte[] chunk = Arrays.copyOfRange(data, sent, Math.min(SIZE, sent + (16 << 10)));
                sent += sender.send(sv[0], chunk);
            }
            long queued = charged(k, p) - p0;
            sender.exit();
            k.cgroupfs().rmdir(p + "/a");

            long dying = charged(k, p) - charged(k, p + "/b");
            if (k.era().compareTo(Era.V4_8) < 0) {
                assertThat(queued).as("%s: 4.7 charges no socket buffer", type).isZero();
                assertThat(dying).as("%s: nothing stays charged to the removed cgroup", type).isZero();
            } else {
                assertThat(queued).as("%s: the queued skbs, charged to the sender's cgroup", type)
                        .isGreaterThanOrEqualTo(SIZE / 2);
                assertThat(dying).as("%s: the removed cgroup still pays for its queued skbs (it had %d before"
                        + " sending)", type, a0).isGreaterThanOrEqualTo(queued);
            }
            byte[] got = new byte[0];
            while (got.length < SIZE) {
                byte[] more = receiver.recv(sv[1], SIZE);
                byte[] all = Arrays.copyOf(got, got.length + more.length);
                System.arraycopy(more, 0, all, got.length, more.length);
                got = all;
            }
            assertThat(got).isEqualTo(data);
            assertThat(charged(k, p + "/b")).as("%s: the receiver's cgroup pays nothing", type).isEqualTo(b0);
            receiver.exit();
            k.cgroupfs().rmdir(p + "/b");
            assertThat(charged(k, p))
                    .as("%s: everything the subtree was charged has left it", type).isZero();
        }
    }
}
