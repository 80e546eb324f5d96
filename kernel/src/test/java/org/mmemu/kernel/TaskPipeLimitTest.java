package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;

/** A pipe writer at its cgroup's memory.max, in the eras whose charge fails with ENOMEM. */
class TaskPipeLimitTest {
    private static final int PAGE = MemMap.PAGE_SIZE;

    @Eras({Era.V4_8, Era.V4_18})
    void aWriterAtMemoryMaxWritesWhatWasChargedAndKeepsIt(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        int[] p = t.pipe();
        k.drainAllStock();
        long max = k.cgroupfs().readLong("/a/memory.current") + 4 * PAGE;
        k.cgroupfs().write("/a/memory.max", Long.toString(max));
        byte[] data = new byte[16 * PAGE];
        Arrays.fill(data, (byte) 7);

        int written = t.write(p[1], data);

        assertThat(written).isPositive().isLessThan(data.length);
        assertThat(k.cgroupfs().readLong("/a/memory.current")).isLessThanOrEqualTo(max);
        assertThatThrownBy(() -> t.write(p[1], new byte[PAGE])).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOMEM));
        assertThat(t.read(p[0], data.length)).isEqualTo(Arrays.copyOf(data, written));
    }
}
