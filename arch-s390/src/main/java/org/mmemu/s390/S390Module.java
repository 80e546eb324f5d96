package org.mmemu.s390;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.AbstractModule;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.mm.PageTableAllocator;

/**
 * Plugs the s390 page-table allocator into a machine: installed beside {@code MmCoreModule}, it
 * registers {@code pgtable.S390} and selects it, so every address space gets s390 tables.
 *
 * <p>Policies (override with {@link org.mmemu.core.policy.PolicyBinder#select}):
 * <ul>
 *   <li>{@link FragmentLayout}: {@code s390layout.Mapcount48} (4.x-4.17; needs
 *       {@code pagetype.Value48}), {@code s390layout.Refcount418} (4.18-6.7),
 *       {@code s390layout.WholePage68} (default);</li>
 *   <li>{@link S390PageTableGfp}: {@code s390gfp.Kernel} (default, every era),
 *       {@code s390gfp.Account} (accounted tables, as 6.18 has them).</li>
 * </ul>
 */
public final class S390Module extends AbstractModule {
    @Override
    protected void configure() {
        bind(S390PageTableAllocator.class).in(MachineScoped.class);

        var layouts = policyBinder(binder(), FragmentLayout.class);
        for (FragmentLayout.Eras e : FragmentLayout.Eras.values()) {
            layouts.register(e.policyName(), e);
        }
        layouts.setDefault(FragmentLayout.Eras.WHOLE_PAGE_6_8.policyName());

        var gfps = policyBinder(binder(), S390PageTableGfp.class);
        for (S390PageTableGfp.Policies p : S390PageTableGfp.Policies.values()) {
            gfps.register(p.policyName(), p);
        }
        gfps.setDefault(S390PageTableGfp.Policies.KERNEL.policyName());

        policyBinder(binder(), PageTableAllocator.class)
                .register(S390PageTableAllocator.NAME, S390PageTableAllocator.class)
                .select(S390PageTableAllocator.NAME);
    }
}
