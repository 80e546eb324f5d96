package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.BpfTesting.assertErrno;
import static org.mmemu.kernel.BpfTesting.bytes;
import static org.mmemu.kernel.BpfTesting.current;
import static org.mmemu.kernel.BpfTesting.lockedVm;
import static org.mmemu.kernel.BpfTesting.settle;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.kernel.junit.Eras;

/**
 * Issue 13's "who pays": the creator's {@code RLIMIT_MEMLOCK} up to 5.10 (and no cgroup: the
 * escape), the creator's cgroup from 5.11, even for hash elements a task of another cgroup adds.
 */
class TaskBpfChargeTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    /** 64 KiB of values: above bpf_map_area_alloc's kmalloc threshold (vmalloc'd from 4.11). */
    private static final int ENTRIES = 16 * PAGE / 8;
    private static final int FOREIGN_KEYS = 200;

    private static int bigArray(Task t) {
        return t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, ENTRIES, 0);
    }

    /** What {@code bpf_map_charge_init} charges for {@link #bigArray}: the header and values, in pages. */
    private static long bigArrayPages() {
        return (272L + ENTRIES * 8 + PAGE - 1) / PAGE;
    }

    @Eras(value = {Era.V4_7, Era.V4_8, Era.V4_18, Era.V5_9, Era.V5_10}, memory = "64M")
    void upTo510TheCreatorsMemlockPaysAndNoCgroup(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        int fd = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 8 * PAGE / 8, 0);

        assertThat(lockedVm(t)).isEqualTo((272L + 8 * PAGE + PAGE - 1) / PAGE);
        assertThat(current(k, "/a")).as("the escape: nothing in the cgroup").isEqualTo(before);
        t.close(fd);
        current(k, "/a");
        assertThat(lockedVm(t)).isZero();
    }

    @Eras(value = {Era.V4_7, Era.V4_8, Era.V4_18, Era.V5_9, Era.V5_10}, memory = "64M")
    void upTo510MemlockRunsOutWithEperm(Kernel k) {
        Task t = k.spawn("/");
        long limitPages = t.taskStruct().rlimit(Rlimits.RLIMIT_MEMLOCK) / PAGE;
        long maps = limitPages / bigArrayPages();
        for (int i = 0; i < maps; i++) {
            bigArray(t);
        }
        long held = lockedVm(t);
        assertThat(held).isEqualTo(maps * bigArrayPages());
        assertErrno(() -> bigArray(t), Errno.EPERM);
        assertThat(lockedVm(t)).as("the refused map took nothing").isEqualTo(held);
    }

    @Eras(from = Era.V5_11, memory = "64M")
    void from511TheCreatorsCgroupPaysAndMemlockIsIgnored(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        long limitPages = t.taskStruct().rlimit(Rlimits.RLIMIT_MEMLOCK) / PAGE;
        long maps = limitPages / bigArrayPages() + 2;
        int[] fds = new int[(int) maps];
        for (int i = 0; i < maps; i++) {
            fds[i] = bigArray(t);
        }

        assertThat(lockedVm(t)).isZero();
        assertThat(current(k, "/a") - before).as("every map's values, charged")
                .isGreaterThanOrEqualTo(maps * ENTRIES * 8);
        for (int fd : fds) {
            t.close(fd);
        }
        assertThat(current(k, "/a")).as("freed maps leave the cgroup").isEqualTo(before);
    }

    @Eras(from = Era.V5_11, memory = "64M")
    void from511ElementsAddedFromAnotherCgroupChargeTheMapsOwner(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task owner = k.spawn("/a");
        long a0 = current(k, "/a");
        int fd = owner.bpfMapCreate(BpfMapType.HASH, 8, 64, FOREIGN_KEYS, BpfMapFlags.NO_PREALLOC);
        Task foreign = owner.fork();
        foreign.moveTo("/b");
        long a1 = current(k, "/a");
        long b1 = current(k, "/b");
        long slab1 = k.cgroupfs().stat("/a", "slab");

        for (int i = 0; i < FOREIGN_KEYS; i++) {
            foreign.bpfMapUpdate(fd, bytes(8, i), bytes(64, i), BpfUpdateFlags.NOEXIST);
        }

        long elements = (long) FOREIGN_KEYS * (48 + 8 + 64);
        assertThat(k.cgroupfs().stat("/a", "slab") - slab1).isGreaterThanOrEqualTo(elements);
        assertThat(current(k, "/a") - a1).isGreaterThanOrEqualTo(elements);
        assertThat(current(k, "/b")).isEqualTo(b1);
        for (int i = 0; i < FOREIGN_KEYS; i++) {
            foreign.bpfMapDelete(fd, bytes(8, i));
        }
        foreign.exit();
        owner.close(fd);
        assertThat(current(k, "/a")).isEqualTo(a0);
    }

    @Eras(value = {Era.V4_7, Era.V4_8, Era.V4_18, Era.V5_9, Era.V5_10}, memory = "64M")
    void upTo510ElementsAddedFromAnotherCgroupChargeNobody(Kernel k) {
        k.cgroupfs().mkdir("/a");
        k.cgroupfs().mkdir("/b");
        Task owner = k.spawn("/a");
        int fd = owner.bpfMapCreate(BpfMapType.HASH, 8, 64, FOREIGN_KEYS, BpfMapFlags.NO_PREALLOC);
        Task foreign = owner.fork();
        foreign.moveTo("/b");
        long a1 = current(k, "/a");
        long b1 = current(k, "/b");

        for (int i = 0; i < FOREIGN_KEYS; i++) {
            foreign.bpfMapUpdate(fd, bytes(8, i), bytes(64, i), BpfUpdateFlags.NOEXIST);
        }

        assertThat(current(k, "/a")).isEqualTo(a1);
        assertThat(current(k, "/b")).isEqualTo(b1);
        foreign.exit();
        owner.close(fd);
    }

    /** From 4.11's {@code bpf_map_area_alloc} (4.7 and 4.8: {@link TaskBpfMapAreaTest}). */
    @Eras(from = Era.V4_18, memory = "64M")
    void theValueAreaIsKmallocdUpTo32KiBAndVmallocdAbove(Kernel k) {
        Task t = k.spawn("/");
        Vmalloc vmalloc = k.get(Vmalloc.class);
        int areas = vmalloc.nrAreas();
        int small = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, (8 * PAGE - 272) / 8, 0);
        assertThat(vmalloc.nrAreas()).as("header and values fit 32 KiB: kmalloc").isEqualTo(areas);
        t.close(small);
        settle(k);
        int big = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, 8 * PAGE / 8, 0);
        assertThat(vmalloc.nrAreas()).as("one value more: vmalloc").isEqualTo(areas + 1);
        t.close(big);
        settle(k);
        assertThat(vmalloc.nrAreas()).isEqualTo(areas);
    }

    @Eras(value = Era.LATEST, memory = "64M")
    void theLatestMemoryStatShowsMapsAsKernelVmallocAndSlab(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        current(k, "/a");
        long kernel0 = k.cgroupfs().stat("/a", "kernel");
        long vmalloc0 = k.cgroupfs().stat("/a", "vmalloc");
        long slab0 = k.cgroupfs().stat("/a", "slab");
        int array = bigArray(t);
        int hash = t.bpfMapCreate(BpfMapType.HASH, 8, 64, 16, 0);

        current(k, "/a");
        assertThat(k.cgroupfs().stat("/a", "vmalloc") - vmalloc0).as("the big array's pages")
                .isEqualTo(bigArrayPages() * PAGE);
        assertThat(k.cgroupfs().stat("/a", "slab") - slab0).as("the hash's struct, buckets and elements")
                .isGreaterThanOrEqualTo(16L * (48 + 8 + 64));
        assertThat(k.cgroupfs().stat("/a", "kernel") - kernel0).isGreaterThanOrEqualTo(bigArrayPages() * PAGE);
        t.close(array);
        t.close(hash);
        current(k, "/a");
        assertThat(k.cgroupfs().stat("/a", "vmalloc")).isEqualTo(vmalloc0);
        assertThat(k.cgroupfs().stat("/a", "slab")).isEqualTo(slab0);
    }
}
