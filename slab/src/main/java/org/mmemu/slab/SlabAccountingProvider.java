package org.mmemu.slab;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.Optional;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.MemcgSlabHooks;
import org.mmemu.memcg.kmem.KmemStaticKey;

/**
 * slab's default {@link SlabAccounting}: the obj_cgroup design ({@link ObjcgSlabAccounting})
 * when memcg is wired and its era's design ({@code slabacct.*}) has obj_cgroup vectors;
 * otherwise, and for the per-cgroup cache clones of 4.7-5.8 (not modelled yet),
 * {@link SlabAccounting#NONE}.
 */
final class SlabAccountingProvider implements Provider<SlabAccounting> {
    private final Optional<MemcgSlabHooks> hooks;
    private final Optional<KmemStaticKey> key;
    private final Cpus cpus;

    @Inject
    SlabAccountingProvider(Optional<MemcgSlabHooks> hooks, Optional<KmemStaticKey> key, Cpus cpus) {
        this.hooks = hooks;
        this.key = key;
        this.cpus = cpus;
    }

    @Override
    public SlabAccounting get() {
        if (hooks.isEmpty() || key.isEmpty() || !hooks.get().design().objcgVectors()) {
            return SlabAccounting.NONE;
        }
        return new ObjcgSlabAccounting(hooks.get(), key.get(), cpus);
    }
}
