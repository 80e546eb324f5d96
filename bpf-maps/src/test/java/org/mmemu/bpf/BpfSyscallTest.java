package org.mmemu.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.fs.File;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.core.vmalloc.Vmalloc;
import org.mmemu.memcg.MemcgModule;
import org.mmemu.slab.SlabModule;

/** A map's lifetime at the module level: its references, its id, and its free after a grace period. */
class BpfSyscallTest {
    private static TestMachine boot() {
        return TestMachine.boot(MemoryConfig.of("64M"), new MemcgModule(), new SlabModule(), new BpfModule());
    }

    private static int create(TestMachine m, TaskStruct t) {
        try (var running = m.tasks().enter(t)) {
            return m.get(BpfSyscall.class).mapCreate(BpfMapType.ARRAY, 4, 8, 8192, BpfMapFlags.MMAPABLE);
        }
    }

    @Test
    void aMapIsFreedAfterAGracePeriodOnceItsLastFileIsGone() {
        TestMachine m = boot();
        TaskStruct t = m.tasks().create("t", new MmStruct());
        Vmalloc vmalloc = m.get(Vmalloc.class);
        int areas = vmalloc.nrAreas();
        int fd = create(m, t);
        File file = t.files().fget(fd);
        BpfMap map = m.get(BpfSyscall.class).mapOf(file);
        assertThat(map.id()).isPositive();
        assertThat(vmalloc.nrAreas()).isEqualTo(areas + 1);

        t.files().closeFd(fd);
        m.get(Rcu.class).synchronizeRcu();
        assertThat(vmalloc.nrAreas()).as("a file reference is still held").isEqualTo(areas + 1);
        file.put();
        assertThat(map.id()).as("unpublished at once").isZero();
        assertThat(vmalloc.nrAreas()).as("freed only after a grace period").isEqualTo(areas + 1);
        m.get(Rcu.class).synchronizeRcu();
        assertThat(vmalloc.nrAreas()).isEqualTo(areas);
        m.get(Exit.class).doExit(t);
        m.verify();
    }

    @Test
    void idsAreHandedOutInTurnAndNotReused() {
        TestMachine m = boot();
        TaskStruct t = m.tasks().create("t", new MmStruct());
        BpfSyscall bpf = m.get(BpfSyscall.class);
        int first = create(m, t);
        int firstId;
        try (var running = m.tasks().enter(t)) {
            File f = t.files().fget(first);
            firstId = bpf.mapId(f);
            f.put();
        }
        t.files().closeFd(first);
        int second = create(m, t);
        try (var running = m.tasks().enter(t)) {
            File f = t.files().fget(second);
            assertThat(bpf.mapId(f)).as("cyclic: the freed id is not handed out again").isEqualTo(firstId + 1);
            f.put();
        }
        m.get(Exit.class).doExit(t);
        m.get(Rcu.class).synchronizeRcu();
        m.verify();
    }

    @Test
    void onlyANoPreallocHashOfTheLatestEraCachesObjectsAndNoneOnceFreed() {
        TestMachine m = boot();
        TaskStruct t = m.tasks().create("t", new MmStruct());
        BpfSyscall bpf = m.get(BpfSyscall.class);
        int hash;
        int array;
        try (var running = m.tasks().enter(t)) {
            hash = bpf.mapCreate(BpfMapType.HASH, 8, 8, 16, BpfMapFlags.NO_PREALLOC);
            array = bpf.mapCreate(BpfMapType.ARRAY, 4, 8, 16, 0);
        }
        File hashFile = t.files().fget(hash);
        File arrayFile = t.files().fget(array);
        BpfMap hashMap = bpf.mapOf(hashFile);
        BpfMap arrayMap = bpf.mapOf(arrayFile);

        assertThat(hashMap.cachedObjects()).as("bpf_mem_alloc's prefill").isPositive();
        assertThat(arrayMap.cachedObjects()).isZero();
        hashFile.put();
        arrayFile.put();
        m.get(Exit.class).doExit(t);
        m.get(Rcu.class).rcuBarrier();
        m.get(Rcu.class).rcuBarrier();
        assertThat(hashMap.cachedObjects()).as("destroyed with the map").isZero();
        m.verify();
    }
}
