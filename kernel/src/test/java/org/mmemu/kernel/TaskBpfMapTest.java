package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.BpfTesting.assertErrno;
import static org.mmemu.kernel.BpfTesting.bytes;
import static org.mmemu.kernel.BpfTesting.current;
import static org.mmemu.kernel.BpfTesting.index;
import static org.mmemu.kernel.BpfTesting.lockedVm;
import static org.mmemu.kernel.BpfTesting.settle;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.kernel.junit.Eras;

/** Issue 13's map operations through the facade: values, the update flags, the errors, ids, freeze. */
class TaskBpfMapTest {
    @Eras(memory = "64M")
    void anArrayKeepsItsValuesAndRefusesWhatTheKernelRefuses(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        int fd = t.bpfMapCreate(BpfMapType.ARRAY, 4, 12, 16, 0);

        assertThat(t.bpfMapLookup(fd, index(3))).as("arrays start zeroed").isEqualTo(new byte[12]);
        t.bpfMapUpdate(fd, index(3), bytes(12, 7), BpfUpdateFlags.ANY);
        t.bpfMapUpdate(fd, index(4), bytes(12, 9), BpfUpdateFlags.EXIST);
        assertThat(t.bpfMapLookup(fd, index(3))).isEqualTo(bytes(12, 7));
        assertThat(t.bpfMapLookup(fd, index(4))).isEqualTo(bytes(12, 9));

        assertErrno(() -> t.bpfMapLookup(fd, index(16)), Errno.ENOENT);
        assertErrno(() -> t.bpfMapUpdate(fd, index(16), bytes(12, 1), BpfUpdateFlags.ANY), Errno.E2BIG);
        assertErrno(() -> t.bpfMapUpdate(fd, index(5), bytes(12, 1), BpfUpdateFlags.NOEXIST), Errno.EEXIST);
        assertErrno(() -> t.bpfMapUpdate(fd, index(5), bytes(12, 1), 3), Errno.EINVAL);
        assertErrno(() -> t.bpfMapDelete(fd, index(3)), Errno.EINVAL);
        assertErrno(() -> t.bpfMapLookup(fd + 1, index(3)), Errno.EBADF);
        assertThat(t.bpfMapLookup(fd, index(5))).as("failed updates leave the value").isEqualTo(new byte[12]);

        t.close(fd);
        assertThat(current(k, "/a")).isEqualTo(before);
        assertThat(lockedVm(t)).isZero();
    }

    @Eras(memory = "64M")
    void aHashObeysTheUpdateFlagsAndItsSize(Kernel k) {
        Task t = k.spawn("/");
        for (int flags : new int[] {0, BpfMapFlags.NO_PREALLOC}) {
            int fd = t.bpfMapCreate(BpfMapType.HASH, 8, 16, 4, flags);
            assertErrno(() -> t.bpfMapUpdate(fd, bytes(8, 0), bytes(16, 0), BpfUpdateFlags.EXIST), Errno.ENOENT);
            for (int i = 0; i < 4; i++) {
                t.bpfMapUpdate(fd, bytes(8, i), bytes(16, 10 * i), BpfUpdateFlags.NOEXIST);
            }
            assertErrno(() -> t.bpfMapUpdate(fd, bytes(8, 1), bytes(16, 0), BpfUpdateFlags.NOEXIST), Errno.EEXIST);
            assertErrno(() -> t.bpfMapUpdate(fd, bytes(8, 9), bytes(16, 0), BpfUpdateFlags.ANY), Errno.E2BIG);
            t.bpfMapUpdate(fd, bytes(8, 2), bytes(16, 99), BpfUpdateFlags.EXIST);

            assertThat(t.bpfMapLookup(fd, bytes(8, 2))).as("flags " + flags).isEqualTo(bytes(16, 99));
            assertThat(t.bpfMapLookup(fd, bytes(8, 3))).isEqualTo(bytes(16, 30));
            assertErrno(() -> t.bpfMapLookup(fd, bytes(8, 9)), Errno.ENOENT);
            t.bpfMapDelete(fd, bytes(8, 3));
            assertErrno(() -> t.bpfMapDelete(fd, bytes(8, 3)), Errno.ENOENT);
            assertErrno(() -> t.bpfMapLookup(fd, bytes(8, 3)), Errno.ENOENT);
            t.bpfMapUpdate(fd, bytes(8, 9), bytes(16, 5), BpfUpdateFlags.NOEXIST);
            assertThat(t.bpfMapLookup(fd, bytes(8, 9))).as("the deleted slot is free again").isEqualTo(bytes(16, 5));
            t.close(fd);
        }
    }

    @Eras(memory = "64M")
    void badCreateArgumentsGiveTheKernelsErrnoAndChangeNothing(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 0, 0), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 8, 8, 4, 0), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 0, 4, 0), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, 1 << 20), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, BpfMapFlags.NO_PREALLOC), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 5 << 20, 1, 0), Errno.E2BIG);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.HASH, 0, 8, 4, 0), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.HASH, 513, 8, 4, 0), Errno.E2BIG);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.HASH, 8, 8, 4, BpfMapFlags.MMAPABLE), Errno.EINVAL);

        assertThat(current(k, "/a")).isEqualTo(before);
        assertThat(lockedVm(t)).isZero();
        assertThat(t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, 0)).as("no fd was used up").isZero();
    }

    @Eras({Era.V4_7, Era.V4_8, Era.V4_18})
    void mmapableAndProgramFlagsAreRefusedBefore55(Kernel k) {
        Task t = k.spawn("/");
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, BpfMapFlags.MMAPABLE), Errno.EINVAL);
        assertErrno(() -> t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, BpfMapFlags.RDONLY_PROG), Errno.EINVAL);
        assertThat(lockedVm(t)).isZero();
    }

    @Eras(from = Era.V4_18, memory = "64M")
    void anIdFindsTheMapUntilItsLastFileIsGone(Kernel k) {
        Task t = k.spawn("/");
        int fd = t.bpfMapCreate(BpfMapType.HASH, 4, 8, 8, 0);
        int id = t.bpfMapId(fd);
        int other = t.bpfMapGetFdById(id);
        t.bpfMapUpdate(other, index(1), bytes(8, 3), BpfUpdateFlags.ANY);

        t.close(fd);
        settle(k);
        assertThat(t.bpfMapLookup(other, index(1))).as("the second file keeps the map").isEqualTo(bytes(8, 3));
        assertThat(t.bpfMapId(other)).isEqualTo(id);

        t.close(other);
        settle(k);
        assertErrno(() -> t.bpfMapGetFdById(id), Errno.ENOENT);
    }

    @Eras({Era.V4_7, Era.V4_8})
    void idsAndFreezeDoNotExistYet(Kernel k) {
        Task t = k.spawn("/");
        int fd = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, 0);
        assertErrno(() -> t.bpfMapId(fd), Errno.EINVAL);
        assertErrno(() -> t.bpfMapGetFdById(1), Errno.EINVAL);
        assertErrno(() -> t.bpfMapFreeze(fd), Errno.EINVAL);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aFrozenMapTakesNoMoreWritesFromUserSpace(Kernel k) {
        Task t = k.spawn("/");
        int fd = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 4, 0);
        t.bpfMapUpdate(fd, index(0), bytes(8, 1), BpfUpdateFlags.ANY);
        t.bpfMapFreeze(fd);

        assertErrno(() -> t.bpfMapUpdate(fd, index(0), bytes(8, 2), BpfUpdateFlags.ANY), Errno.EPERM);
        assertErrno(() -> t.bpfMapFreeze(fd), Errno.EBUSY);
        assertThat(t.bpfMapLookup(fd, index(0))).isEqualTo(bytes(8, 1));
    }
}
