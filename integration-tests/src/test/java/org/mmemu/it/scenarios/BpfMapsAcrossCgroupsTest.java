package org.mmemu.it.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.scenarios.Counters.charged;

import java.util.Arrays;
import org.mmemu.bpf.BpfEras;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;

/**
 * BPF maps whose memory crosses cgroups and processes: hash elements added from a foreign
 * cgroup after the owner's cgroup is gone (kernel/bpf/hashtab.c {@code alloc_htab_elem};
 * {@code bpf_map_kmalloc_node} charges {@code map->memcg}, which pins the dying cgroup, from
 * 5.11), and an mmapable array mapped, inherited by a child, unmapped by both
 * ({@code bpf_map_mmap_open}/{@code _close} counting the mappings, the map freed after its last
 * fd and its last mapping).
 */
class BpfMapsAcrossCgroupsTest {
    private static final int KEY = 8;
    private static final int VALUE = 64;
    private static final int ELEMENTS = 100;

    private static byte[] key(int i) {
        byte[] k = new byte[KEY];
        k[0] = (byte) i;
        k[1] = (byte) (i >>> 8);
        return k;
    }

    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void foreignElementsOfADyingOwnersMapAreChargedToItFrom511AndLeaveWithTheMap(Kernel k) {
        k.cgroupfs().mkdir("/p");
        k.cgroupfs().write("/p/cgroup.subtree_control", "+memory");
        k.cgroupfs().mkdir("/p/a");
        k.cgroupfs().mkdir("/p/b");
        Task owner = k.spawn("/p/a");
        int fd = owner.bpfMapCreate(BpfMapType.HASH, KEY, VALUE, 256, BpfMapFlags.NO_PREALLOC);
        Task adder = owner.fork();
        adder.moveTo("/p/b");
        owner.exit();
        k.cgroupfs().rmdir("/p/a");
        long dying0 = charged(k, "/p") - charged(k, "/p/b");
        long b0 = charged(k, "/p/b");

        for (int i = 0; i < ELEMENTS; i++) {
            adder.bpfMapUpdate(fd, key(i), new byte[VALUE], BpfUpdateFlags.NOEXIST);
        }

        long added = charged(k, "/p") - charged(k, "/p/b") - dying0;
        if (k.era().compareTo(Era.V5_11) >= 0) {
            assertThat(added).as("the elements, charged to the map's (dying) memcg")
                    .isGreaterThanOrEqualTo((long) ELEMENTS * (KEY + VALUE));
        } else {
            assertThat(added).as("up to 5.10 no cgroup pays for a map's elements").isZero();
        }
        assertThat(charged(k, "/p/b")).as("the adder's cgroup pays nothing").isEqualTo(b0);

        for (int i = 0; i < ELEMENTS; i++) {
            adder.bpfMapDelete(fd, key(i));
        }
        long afterDelete = charged(k, "/p") - charged(k, "/p/b");
        if (BpfEras.CONFIG.at(k.era().release()).memAlloc()) {
            // 6.x: a deleted element goes back to bpf_mem_alloc's per-CPU cache, still charged.
            assertThat(afterDelete).as("deleted elements kept in the map's caches").isBetween(dying0, dying0 + added);
        } else {
            assertThat(afterDelete).as("deleted elements freed after a grace period").isEqualTo(dying0);
        }
        adder.close(fd);
        adder.exit();
        k.cgroupfs().rmdir("/p/b");
        assertThat(charged(k, "/p")).as("the map freed after its last fd: nothing left in the subtree").isZero();
    }

    @Eras(from = Era.V5_9, memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void anMmapableArrayMappedForkedAndUnmappedLivesUntilItsLastMapping(Kernel k) {
        k.cgroupfs().mkdir("/a");
        Task parent = k.spawn("/a");
        long before = charged(k, "/a");
        int fd = parent.bpfMapCreate(BpfMapType.ARRAY, Integer.BYTES, 4096, 4, BpfMapFlags.MMAPABLE);
        long addr = parent.mmap(fd, 4 * 4096L);
        byte[] page = new byte[4096];
        Arrays.fill(page, (byte) 0x5a);
        parent.writeMemory(addr, page);
        long withMap = charged(k, "/a");

        Task child = parent.fork();
        assertThat(child.readMemory(addr, 4096)).as("the child inherits the shared mapping").isEqualTo(page);
        parent.munmap(addr, 4 * 4096L);
        parent.close(fd);
        child.close(fd);
        byte[] other = new byte[4096];
        Arrays.fill(other, (byte) 0x33);
        child.writeMemory(addr + 4096, other);
        assertThat(child.readMemory(addr + 4096, 4096)).as("the child's mapping keeps the map alive").isEqualTo(other);
        if (k.era().compareTo(Era.V5_11) >= 0) {
            assertThat(charged(k, "/a")).as("the map's area is still charged").isGreaterThanOrEqualTo(withMap - 4096L * 8);
        }

        child.munmap(addr, 4 * 4096L);
        child.exit();
        assertThat(charged(k, "/a")).as("the last mapping gone, the map freed after RCU").isLessThanOrEqualTo(before);
        if (k.era().compareTo(Era.V5_11) >= 0) {
            assertThat(withMap - before).as("from 5.11 the map's pages were charged to its creator")
                    .isGreaterThanOrEqualTo(4 * 4096L);
        }
    }
}
