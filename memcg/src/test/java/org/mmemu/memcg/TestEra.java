package org.mmemu.memcg;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.era.MmCoreEras;

/**
 * The releases memcg's tests run under, each with what mm-core's and memcg's era tables
 * ({@link MmCoreEras}, {@link MemcgEras}) select for it: the memcg config and every policy of
 * the two modules. (The kernel module composes the full presets.)
 */
public enum TestEra {
    V4_7(KernelRelease.V4_7),
    V4_8(KernelRelease.V4_8),
    V4_18(KernelRelease.V4_18),
    V5_9(KernelRelease.V5_9),
    V5_10(KernelRelease.V5_10),
    V5_11(KernelRelease.V5_11),
    LATEST(KernelRelease.LATEST);

    private final KernelRelease release;

    TestEra(KernelRelease release) {
        this.release = release;
    }

    public MemcgConfig config() {
        return MemcgEras.CONFIG.at(release);
    }

    /** The era's policy selections, for a machine whose MemcgModule has {@link #config()}. */
    public Module policies() {
        return binder -> {
            binder.install(MmCoreEras.DESCRIPTOR.policies(release));
            binder.install(MemcgEras.DESCRIPTOR.policies(release));
        };
    }

    /** memcg of this era with its policies: what a MachineExtension or TestMachine installs. */
    public Module module() {
        return binder -> {
            binder.install(new MemcgModule(config()));
            binder.install(policies());
        };
    }

    /** A 64 MiB machine of this era, plus {@code extra} modules. */
    public MemcgMachine boot(Module... extra) {
        List<Module> all = new ArrayList<>(List.of(extra));
        all.add(policies());
        return MemcgMachine.boot(config(), all.toArray(new Module[0]));
    }
}
