package org.mmemu.slab;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.era.MmCoreEras;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.memcg.Cgroups;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgEras;
import org.mmemu.memcg.MemcgModule;

/**
 * A machine of one release with mm-core, memcg and slab as its era table selects them (the
 * kernel module composes the full presets), for tests that run under every era. The test ends
 * it with {@link TestMachine#verify()}.
 */
final class SlabEraMachine {
    private SlabEraMachine() {
    }

    /** A 64 MiB machine of {@code release}, SLUB booted with {@code config}, plus {@code extra}. */
    static TestMachine boot(KernelRelease release, SlabConfig config, Module... extra) {
        List<Module> modules = new ArrayList<>(List.of(extra));
        modules.add(new MemcgModule(MemcgEras.CONFIG.at(release)));
        modules.add(new SlabModule(config));
        modules.add(MmCoreEras.DESCRIPTOR.policies(release));
        modules.add(MemcgEras.DESCRIPTOR.policies(release));
        modules.add(SlabEras.DESCRIPTOR.policies(release));
        return TestMachine.boot(MemoryConfig.of("64M"), modules.toArray(new Module[0]));
    }

    static TestMachine boot(KernelRelease release) {
        return boot(release, SlabConfig.DEFAULT);
    }

    /** A user task of {@code m} that has joined {@code memcg}. */
    static TaskStruct writerIn(TestMachine m, MemCgroup memcg) {
        TaskStruct task = m.tasks().create("writer", new MmStruct());
        m.get(Cgroups.class).attach(task, memcg);
        return task;
    }
}
