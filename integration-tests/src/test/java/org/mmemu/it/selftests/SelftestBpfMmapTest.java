package org.mmemu.it.selftests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.mm.Mman;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Prot;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;

/**
 * {@code tools/testing/selftests/bpf/prog_tests/mmap.c} (5.11), its map-side assertions, on the
 * maps of progs/test_mmap.c: {@code rdonly_map} (4096 one-byte values, {@code BPF_F_MMAPABLE |
 * BPF_F_RDONLY_PROG}) and {@code data_map} (2048 u64 values, four pages, {@code BPF_F_MMAPABLE}).
 *
 * <p>Not ported: the BPF program and its {@code .bss} map (no programs: the values the program
 * would write, {@code val[1] = 2 * val[0]}, {@code val[2] = in_val}, {@code val[far] = 3 * in_val},
 * are written here with {@code BPF_MAP_UPDATE_ELEM}), the {@code MAP_FIXED} remaps over an
 * anonymous reservation ({@code adv_mmap0..6}: the facade maps at a free address), and
 * {@code bpf_map_get_next_id} (a grace period is ended instead of polled for).
 */
class SelftestBpfMmapTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    private static final int MAP_SZ = 512 * 4 * 8;
    private static final int FAR = 1500;

    private static void assertErrno(ThrowingCallable call, Errno errno) {
        assertThatThrownBy(call).isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(errno));
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** {@code map_data->val[i]} through the mapping at {@code addr}. */
    private static long val(Task t, long addr, int i) {
        return ByteBuffer.wrap(t.readMemory(addr + i * 8L, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** What the selftest's program does on each syscall, done from user space. */
    private static void runProgram(Task t, int dataMap, long inVal) {
        long val0 = ByteBuffer.wrap(t.bpfMapLookup(dataMap, u32(0))).order(ByteOrder.LITTLE_ENDIAN).getLong();
        t.bpfMapUpdate(dataMap, u32(2), u64(inVal), BpfUpdateFlags.ANY);
        t.bpfMapUpdate(dataMap, u32(1), u64(val0 * 2), BpfUpdateFlags.ANY);
        t.bpfMapUpdate(dataMap, u32(FAR), u64(inVal * 3), BpfUpdateFlags.ANY);
    }

    @Eras(from = Era.V5_9, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void testMmap(Kernel k) {
        Task t = k.spawn("/");
        int rdmap = t.bpfMapCreate(BpfMapType.ARRAY, 4, 1, 4096, BpfMapFlags.MMAPABLE | BpfMapFlags.RDONLY_PROG);
        int dataMap = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 512 * 4, BpfMapFlags.MMAPABLE);

        assertErrno(() -> t.mmap(rdmap, PAGE, Prot.READ | Prot.WRITE, 0), Errno.EACCES);   // rdonly_write_mmap
        long rdonly = t.mmap(rdmap, PAGE, Prot.READ, 0);                                    // rdonly_read_mmap
        int dataMapId = t.bpfMapId(dataMap);

        long mapMmaped = t.mmap(dataMap, MAP_SZ, Prot.READ | Prot.WRITE, 0);
        for (int i : new int[] {0, 1, 2, FAR}) {
            assertThat(val(t, mapMmaped, i)).isZero();
        }
        t.bpfMapUpdate(dataMap, u32(0), u64(111), 0);
        runProgram(t, dataMap, 123);
        assertThat(val(t, mapMmaped, 0)).isEqualTo(111);
        assertThat(val(t, mapMmaped, 1)).isEqualTo(222);
        assertThat(val(t, mapMmaped, 2)).isEqualTo(123);
        assertThat(val(t, mapMmaped, FAR)).isEqualTo(3 * 123);
        assertThat(t.bpfMapLookup(dataMap, u32(FAR))).isEqualTo(u64(3 * 123));

        assertErrno(() -> t.bpfMapFreeze(dataMap), Errno.EBUSY);                          // no_freeze
        t.mprotect(mapMmaped, MAP_SZ, Prot.READ);                                         // mprotect_ro
        t.munmap(mapMmaped, MAP_SZ);
        long roMap = t.mmap(dataMap, MAP_SZ, Prot.READ, 0);
        assertErrno(() -> t.mprotect(roMap, MAP_SZ, Prot.WRITE), Errno.EACCES);           // mprotect_wr
        assertErrno(() -> t.mprotect(roMap, MAP_SZ, Mman.PROT_EXEC), Errno.EACCES);       // mprotect_ex

        for (int i = 0; i < 10; i++) {
            long p = t.mmap(dataMap, MAP_SZ, i % 2 == 1 ? Prot.READ : Prot.WRITE, 0);
            t.munmap(p, MAP_SZ);
        }
        t.bpfMapFreeze(dataMap);                                                           // freeze
        assertErrno(() -> t.mmap(dataMap, MAP_SZ, Prot.READ | Prot.WRITE, 0), Errno.EPERM);

        assertThat(val(t, roMap, 0)).isEqualTo(111);
        assertThat(val(t, roMap, 2)).isEqualTo(123);
        assertErrno(() -> t.mmap(dataMap, 4 * PAGE, Prot.READ, PAGE), Errno.EINVAL);      // adv_mmap7
        long last = t.mmap(dataMap, MAP_SZ, Prot.READ, 0);                                 // last_mmap

        t.close(rdmap);
        t.close(dataMap);
        t.munmap(rdonly, PAGE);
        t.munmap(roMap, MAP_SZ);
        int tmp = t.bpfMapGetFdById(dataMapId);                                            // held by the mapping
        t.close(tmp);
        t.munmap(last, MAP_SZ);
        k.get(Rcu.class).synchronizeRcu();
        assertErrno(() -> t.bpfMapGetFdById(dataMapId), Errno.ENOENT);                     // get_map_by_id_after
    }
}
