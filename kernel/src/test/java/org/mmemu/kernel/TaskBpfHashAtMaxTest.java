package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.BpfTesting.assertErrno;
import static org.mmemu.kernel.BpfTesting.bytes;
import static org.mmemu.kernel.BpfTesting.current;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.kernel.junit.Eras;

/**
 * Issue 13's foreign hash elements at the owner's {@code memory.max}: 5.11's {@code GFP_ATOMIC}
 * kmalloc per update is forced past the limit, while the latest era's {@code bpf_mem_alloc}
 * refills its per-CPU cache with {@code GFP_NOWAIT}, whose charge fails: once the prefilled
 * elements are used, updates fail with {@code ENOMEM} and the cgroup stays at its limit.
 */
class TaskBpfHashAtMaxTest {
    private static final int KEYS = 200;

    /** A hash of /a, shared with a task of /b; /a's limit set to its use. */
    private static final class Setup {
        final long before;
        final int fd;
        final Task owner;
        final Task foreign;
        final long max;

        Setup(Kernel k) {
            k.cgroupfs().mkdir("/a");
            k.cgroupfs().mkdir("/b");
            owner = k.spawn("/a");
            before = current(k, "/a");
            fd = owner.bpfMapCreate(BpfMapType.HASH, 8, 64, KEYS, BpfMapFlags.NO_PREALLOC);
            foreign = owner.fork();
            foreign.moveTo("/b");
            max = current(k, "/a");
            k.cgroupfs().write("/a/memory.max", Long.toString(max));
        }

        /** Updates of new keys from /b until one fails with ENOMEM; how many succeeded. */
        int updateUntilEnomem() {
            for (int i = 0; i < KEYS; i++) {
                try {
                    foreign.bpfMapUpdate(fd, bytes(8, i), bytes(64, i), BpfUpdateFlags.NOEXIST);
                } catch (ErrnoException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOMEM);
                    return i;
                }
            }
            return KEYS;
        }

        void closeAndCheck(Kernel k) {
            foreign.exit();
            owner.close(fd);
            assertThat(current(k, "/a")).as("the map's memory, elements and caches, left /a").isEqualTo(before);
        }
    }

    @Eras(value = Era.LATEST, memory = "64M")
    void latestForeignUpdatesAtTheOwnersMaxFailWithEnomem(Kernel k) {
        Setup s = new Setup(k);
        long b1 = current(k, "/b");

        int added = s.updateUntilEnomem();

        assertThat(added).as("the prefilled elements serve, then the refill fails").isPositive().isLessThan(KEYS);
        assertThat(current(k, "/a")).isLessThanOrEqualTo(s.max);
        assertThat(current(k, "/b")).isEqualTo(b1);
        s.closeAndCheck(k);
    }

    @Eras(value = Era.LATEST, memory = "64M")
    void latestADeletedElementGoesBackToTheCacheAndServesTheNextUpdate(Kernel k) {
        Setup s = new Setup(k);
        int added = s.updateUntilEnomem();

        s.foreign.bpfMapDelete(s.fd, bytes(8, 0));
        s.foreign.bpfMapUpdate(s.fd, bytes(8, added), bytes(64, added), BpfUpdateFlags.NOEXIST);

        assertThat(s.foreign.bpfMapLookup(s.fd, bytes(8, added))).isEqualTo(bytes(64, added));
        assertErrno(() -> s.foreign.bpfMapUpdate(s.fd, bytes(8, added + 1), bytes(64, added + 1),
                BpfUpdateFlags.NOEXIST), Errno.ENOMEM);
        assertThat(current(k, "/a")).isLessThanOrEqualTo(s.max);
        s.closeAndCheck(k);
    }

    @Eras(value = Era.V5_11, memory = "64M")
    void at511ForeignUpdatesAtTheOwnersMaxAreForcedPastIt(Kernel k) {
        Setup s = new Setup(k);

        int added = s.updateUntilEnomem();

        assertThat(added).as("every GFP_ATOMIC charge forced").isEqualTo(KEYS);
        assertThat(current(k, "/a")).isGreaterThan(s.max);
        s.closeAndCheck(k);
    }
}
