package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.kernel.BpfTesting.assertErrno;
import static org.mmemu.kernel.BpfTesting.bytes;
import static org.mmemu.kernel.BpfTesting.current;
import static org.mmemu.kernel.BpfTesting.index;
import static org.mmemu.kernel.BpfTesting.settle;

import org.mmemu.bpf.BpfConfig;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfModule;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.core.fs.File;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.Mman;
import org.mmemu.core.page.Gfp;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.junit.Eras;

/**
 * Issue 13's mmap rules of {@code bpf_map_mmap} one by one, and the three outcomes of mapping a
 * map's vmalloc pages with {@code vm_insert_page}: accounted and mappable (5.11 on), unaccounted
 * and mappable (5.9, 5.10), accounted by force and refused (5.9, 5.10 with the map's gfp
 * overridden: the page carries the PageKmemcg type).
 */
class TaskBpfMmapTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    /** Two pages of 8-byte values. */
    private static final int ENTRIES = 2 * PAGE / 8;

    private static int mmapable(Task t, int extraFlags) {
        return t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, ENTRIES, BpfMapFlags.MMAPABLE | extraFlags);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aMappingAndLookupSeeTheSameBytes(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, 0);
        long addr = t.mmap(fd, 2 * PAGE);

        t.writeMemory(addr + 5 * 8, bytes(8, 40));
        assertThat(t.bpfMapLookup(fd, index(5))).isEqualTo(bytes(8, 40));
        t.bpfMapUpdate(fd, index(ENTRIES - 1), bytes(8, 70), BpfUpdateFlags.ANY);
        assertThat(t.readMemory(addr + 2 * PAGE - 8, 8)).isEqualTo(bytes(8, 70));

        t.munmap(addr, 2 * PAGE);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aPrivateMappingIsRefused(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, 0);
        long ret;
        try (var running = k.enter(t)) {
            File file = t.taskStruct().files().fget(fd);
            ret = k.get(AddressSpaces.class).mmap(t.taskStruct().mm(), file, 0, PAGE, Mman.PROT_READ,
                    Mman.MAP_PRIVATE, 0);
            file.put();
        }
        assertThat(ret).as("the facade maps MAP_SHARED only, so do_mmap is called here").isEqualTo(
                Errno.EINVAL.negative());
        t.bpfMapFreeze(fd);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aMappingMustLieWithinTheValues(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, 0);
        assertErrno(() -> t.mmap(fd, 3 * PAGE), Errno.EINVAL);
        assertErrno(() -> t.mmap(fd, 2 * PAGE, Prot.READ, PAGE), Errno.EINVAL);
        assertErrno(() -> t.mmap(fd, PAGE, Prot.READ, 100), Errno.EINVAL);
        long second = t.mmap(fd, PAGE, Prot.READ | Prot.WRITE, PAGE);
        t.bpfMapUpdate(fd, index(ENTRIES / 2), bytes(8, 1), BpfUpdateFlags.ANY);
        assertThat(t.readMemory(second, 8)).as("offset one page maps the second page").isEqualTo(bytes(8, 1));
        t.munmap(second, PAGE);
        t.bpfMapFreeze(fd);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aFrozenMapIsMappedReadOnlyOnly(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, 0);
        t.bpfMapUpdate(fd, index(0), bytes(8, 3), BpfUpdateFlags.ANY);
        t.bpfMapFreeze(fd);

        assertErrno(() -> t.mmap(fd, PAGE), Errno.EPERM);
        long addr = t.mmap(fd, PAGE, Prot.READ, 0);
        assertThat(t.readMemory(addr, 8)).isEqualTo(bytes(8, 3));
        t.munmap(addr, PAGE);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aReadOnlyForProgramsMapIsMappedReadOnlyOnly(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, BpfMapFlags.RDONLY_PROG);
        assertErrno(() -> t.mmap(fd, PAGE), Errno.EACCES);
        long addr = t.mmap(fd, PAGE, Prot.READ, 0);
        t.munmap(addr, PAGE);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aWritableMappingBlocksFreezeUntilItsLastPieceGoes(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, 0);
        for (int i = 0; i < 5; i++) {
            t.munmap(t.mmap(fd, 2 * PAGE), 2 * PAGE);
        }
        long addr = t.mmap(fd, 2 * PAGE);
        assertErrno(() -> t.bpfMapFreeze(fd), Errno.EBUSY);
        t.munmap(addr, PAGE);
        assertErrno(() -> t.bpfMapFreeze(fd), Errno.EBUSY);
        assertThat(t.readMemory(addr + PAGE, 8)).as("the split-off half still maps").isEqualTo(new byte[8]);
        t.munmap(addr + PAGE, PAGE);

        t.bpfMapFreeze(fd);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aReadOnlyMappingCannotBecomeWritable(Kernel k) {
        Task t = k.spawn("/");
        int fd = mmapable(t, 0);
        long addr = t.mmap(fd, PAGE, Prot.READ, 0);

        assertErrno(() -> t.mprotect(addr, PAGE, Prot.READ | Prot.WRITE), Errno.EACCES);
        assertErrno(() -> t.writeMemory(addr, bytes(8, 1)), Errno.EFAULT);
        assertThat(t.bpfMapLookup(fd, index(0))).isEqualTo(new byte[8]);
        t.bpfMapFreeze(fd);
        t.munmap(addr, PAGE);
        t.close(fd);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void aMappingKeepsTheMapAfterItsFdIsClosed(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        int fd = mmapable(t, 0);
        int id = t.bpfMapId(fd);
        long addr = t.mmap(fd, 2 * PAGE);
        t.writeMemory(addr, bytes(8, 6));
        t.close(fd);
        settle(k);

        assertThat(t.readMemory(addr, 8)).isEqualTo(bytes(8, 6));
        int again = t.bpfMapGetFdById(id);
        assertThat(t.bpfMapLookup(again, index(0))).isEqualTo(bytes(8, 6));
        t.close(again);

        t.munmap(addr, 2 * PAGE);
        assertThat(current(k, "/a")).isEqualTo(before);
        assertErrno(() -> t.bpfMapGetFdById(id), Errno.ENOENT);
    }

    @Eras(from = Era.V5_9, memory = "64M")
    void onlyMmapableArraysMap(Kernel k) {
        Task t = k.spawn("/");
        int hash = t.bpfMapCreate(BpfMapType.HASH, 4, 8, 4, 0);
        int array = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, ENTRIES, 0);
        assertErrno(() -> t.mmap(hash, PAGE), Errno.ENOTSUPP);
        assertErrno(() -> t.mmap(array, PAGE), Errno.EINVAL);
    }

    @Eras({Era.V4_7, Era.V4_8, Era.V4_18})
    void mapFilesHaveNoMmapBefore55(Kernel k) {
        Task t = k.spawn("/");
        int fd = t.bpfMapCreate(BpfMapType.ARRAY, 4, 8, ENTRIES, 0);
        assertErrno(() -> t.mmap(fd, PAGE), Errno.ENODEV);
    }

    @Eras(from = Era.V5_11, memory = "64M")
    void accountedPagesMapFrom511(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        int fd = mmapable(t, 0);
        assertThat(current(k, "/a") - before).as("header page and two value pages, charged")
                .isGreaterThanOrEqualTo(3L * PAGE);

        long addr = t.mmap(fd, 2 * PAGE);
        t.writeMemory(addr, bytes(8, 2));
        assertThat(t.bpfMapLookup(fd, index(0))).isEqualTo(bytes(8, 2));
        t.munmap(addr, 2 * PAGE);
        t.close(fd);
        assertThat(current(k, "/a")).isEqualTo(before);
    }

    @Eras({Era.V5_9, Era.V5_10})
    void unaccountedPagesMapIn59And510(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task t = k.spawn("/a");
        long before = current(k, "/a");
        int fd = mmapable(t, 0);
        assertThat(current(k, "/a")).as("the escape: nothing charged").isEqualTo(before);

        long addr = t.mmap(fd, 2 * PAGE);
        t.writeMemory(addr, bytes(8, 2));
        assertThat(t.bpfMapLookup(fd, index(0))).isEqualTo(bytes(8, 2));
        t.munmap(addr, 2 * PAGE);
        t.close(fd);
    }

    @Eras({Era.V5_9, Era.V5_10})
    void accountedPagesCannotBeMappedWhileTheMarkIsAPageType(Kernel era) {
        KernelConfig forced = KernelConfig.memory("64M").override(binder -> BpfModule.config(binder).setBinding()
                .toInstance(BpfConfig.V5_9.withAccountGfp(Gfp.__GFP_ACCOUNT)));
        try (Kernel k = Kernel.boot(era.era(), forced)) {
            k.cgroupfs().mkdir("/a");
            Task t = k.spawn("/a");
            long before = current(k, "/a");
            int fd = mmapable(t, 0);
            assertThat(current(k, "/a") - before).as("charged once forced").isGreaterThanOrEqualTo(3L * PAGE);

            assertErrno(() -> t.mmap(fd, 2 * PAGE), Errno.EINVAL);
            assertErrno(() -> t.mmap(fd, PAGE, Prot.READ, 0), Errno.EINVAL);
            t.bpfMapFreeze(fd);
            t.close(fd);
            assertThat(current(k, "/a")).isEqualTo(before);
        }
    }
}
