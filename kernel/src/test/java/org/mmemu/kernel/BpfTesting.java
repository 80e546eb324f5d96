package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.rcu.Rcu;

/** What the BPF facade tests share: keys, values, and the cgroup counters after RCU and the stocks. */
final class BpfTesting {
    private BpfTesting() {
    }

    /** Asserts that {@code call} fails with {@code errno}. */
    static void assertErrno(ThrowingCallable call, Errno errno) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(errno));
    }

    /** A 4-byte little-endian array index. */
    static byte[] index(int i) {
        return new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)};
    }

    /** {@code n} bytes, each {@code seed + position}. */
    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** Ends the grace periods pending (a map's free, a hash element's), then drains the stocks. */
    static void settle(Kernel k) {
        k.get(Rcu.class).synchronizeRcu();
        k.drainAllStock();
    }

    /** {@code memory.current} of {@code cgroup}, settled. */
    static long current(Kernel k, String cgroup) {
        settle(k);
        return k.cgroupfs().readLong(cgroup + "/memory.current");
    }

    /** The pages the task's user has in {@code locked_vm}. */
    static long lockedVm(Task t) {
        return t.taskStruct().cred().user().lockedVm();
    }
}
