package org.mmemu.kernel;

import com.google.inject.Binder;
import com.google.inject.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.bpf.BpfEras;
import org.mmemu.core.era.EraChoice;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.era.MmCoreEras;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgEras;
import org.mmemu.net.UnixEras;
import org.mmemu.pipe.PipeEras;
import org.mmemu.s390.S390Eras;
import org.mmemu.slab.SlabEras;

/**
 * The kernel releases the emulator can be: each constant is a preset that selects, by name, a
 * coherent policy for every era-dependent choice of every module, so one scenario can be run
 * under each era and the differences observed ({@link Kernel#boot} installs it; {@link #module()}
 * gives it to a hand-built injector).
 *
 * <p>The choices are the modules' own era tables, composed in module order
 * ({@link #descriptors()}): {@link MmCoreEras}, {@link MemcgEras}, {@link SlabEras}, {@link PipeEras},
 * {@link UnixEras}, {@link BpfEras}, {@link S390Eras}; each says
 * why it chose what the kernel sources leave open. {@code mmemu eras} prints the whole table,
 * and README.md's "Eras" table is checked against it.
 */
public enum Era {
    /** 4.7: kmem charged only through {@code alloc_kmem_pages}; nothing marks the page but its memcg. */
    V4_7(KernelRelease.V4_7),
    /** 4.8: {@code __GFP_ACCOUNT} charged in the allocator, PageKmemcg = -512 in {@code _mapcount}. */
    V4_8(KernelRelease.V4_8),
    /** 4.18: page types are bits of {@code page_type}; s390 fragment bits move to {@code _refcount}. */
    V4_18(KernelRelease.V4_18),
    /** 5.9: typed pages refused by {@code vm_insert_page}; the OOM killer in the charge path. */
    V5_9(KernelRelease.V5_9),
    /** 5.10: as 5.9 for every policy here (its difference, the from_obj race fix, is slab's). */
    V5_10(KernelRelease.V5_10),
    /** 5.11: the kmem mark is {@code MEMCG_DATA_KMEM} in {@code memcg_data}; kmem pages are mappable. */
    V5_11(KernelRelease.V5_11),
    /** The latest kernel (6.13): obj_cgroup kmem pages, top-byte page types, batch 64. */
    LATEST(KernelRelease.LATEST);

    private final KernelRelease release;
    private final Map<Class<?>, String> policies;

    Era(KernelRelease release) {
        this.release = release;
        Map<Class<?>, String> p = new LinkedHashMap<>();
        for (EraChoice<?> c : Descriptors.CHOICES) {
            if (c.isPolicy()) {
                p.put(c.kind(), c.text(release));
            }
        }
        this.policies = Collections.unmodifiableMap(p);
    }

    /** Every module's era table, in module order (the lowest module first). */
    public static List<EraDescriptor> descriptors() {
        return Descriptors.ALL;
    }

    /** The release this preset is. */
    public KernelRelease release() {
        return release;
    }

    /** The kernel version, as users name it ("4.8", "5.11", "latest"). */
    public String version() {
        return release.version();
    }

    /** The policy this era selects for each kind, by its dotted name, in the table's order. */
    public Map<Class<?>, String> policies() {
        return policies;
    }

    /** The policy name this era selects for {@code kind}, or null if the era leaves it alone. */
    public String policy(Class<?> kind) {
        return policies.get(kind);
    }

    /** The era's memcg knobs: charge batch, charge path, kmem uncharge route, v1 kmem counter. */
    public MemcgConfig memcgConfig() {
        return MemcgEras.CONFIG.at(release);
    }

    /**
     * The preset as a Guice module: makes every choice of {@link #descriptors()} (the policies
     * of {@link #policies()}, and {@link #memcgConfig()}). Install it beside
     * {@code MmCoreModule}, {@code MemcgModule} and {@code SlabModule} (and {@code S390Module}
     * for s390 page tables). To change one of its choices, override the module
     * ({@code Modules.override(era.module()).with(...)}), as {@link Kernel#boot} does with its
     * extra modules.
     */
    public Module module() {
        return this::configure;
    }

    private void configure(Binder binder) {
        Descriptors.ALL.forEach(d -> binder.install(d.module(release)));
    }

    @Override
    public String toString() {
        return name() + " (" + version() + ")";
    }

    /** The modules' era tables; a module with era-dependent choices adds its descriptor here. */
    private static final class Descriptors {
        static final List<EraDescriptor> ALL =
                List.of(MmCoreEras.DESCRIPTOR, MemcgEras.DESCRIPTOR, SlabEras.DESCRIPTOR, PipeEras.DESCRIPTOR,
                        UnixEras.DESCRIPTOR, BpfEras.DESCRIPTOR, S390Eras.DESCRIPTOR);
        static final List<EraChoice<?>> CHOICES =
                ALL.stream().flatMap(d -> d.choices().stream()).toList();

        private Descriptors() {
        }
    }
}
