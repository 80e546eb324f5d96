package org.mmemu.slab;

import com.google.inject.Inject;
import com.google.inject.Provider;
import java.util.Optional;
import org.mmemu.core.sched.Cpus;
import org.mmemu.memcg.CurrentMemcg;
import org.mmemu.memcg.MemcgSlabHooks;
import org.mmemu.memcg.MemcgSlabPages;
import org.mmemu.memcg.kmem.KmemStaticKey;

/**
 * slab's default {@link SlabAccounting}, when memcg is wired, by its era's design
 * ({@code slabacct.*}): the obj_cgroup design ({@link ObjcgSlabAccounting}) from 5.9, the
 * per-cgroup cache clones ({@link CloneSlabAccounting}) before; {@link SlabAccounting#NONE}
 * without memcg.
 */
final class SlabAccountingProvider implements Provider<SlabAccounting> {
    private final Optional<MemcgSlabHooks> hooks;
    private final Optional<KmemStaticKey> key;
    private final Optional<CurrentMemcg> current;
    private final Optional<MemcgSlabPages> pages;
    private final MemcgCaches clones;
    private final Cpus cpus;

    @Inject
    @SuppressWarnings("checkstyle:ParameterNumber")
    SlabAccountingProvider(Optional<MemcgSlabHooks> hooks, Optional<KmemStaticKey> key,
                           Optional<CurrentMemcg> current, Optional<MemcgSlabPages> pages, MemcgCaches clones,
                           Cpus cpus) {
        this.hooks = hooks;
        this.key = key;
        this.current = current;
        this.pages = pages;
        this.clones = clones;
        this.cpus = cpus;
    }

    @Override
    public SlabAccounting get() {
        if (hooks.isEmpty() || key.isEmpty() || current.isEmpty() || pages.isEmpty()) {
            return SlabAccounting.NONE;
        }
        if (!hooks.get().design().objcgVectors()) {
            return new CloneSlabAccounting(key.get(), current.get(), pages.get(), clones, cpus);
        }
        return new ObjcgSlabAccounting(hooks.get(), key.get(), cpus);
    }
}
