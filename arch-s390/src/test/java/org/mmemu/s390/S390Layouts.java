package org.mmemu.s390;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Module;
import com.google.inject.util.Modules;
import java.util.Arrays;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.era.MmCoreEras;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * The s390 binding with each layout and the page-type encoding of that layout's era, as the
 * era tables ({@link S390Eras}, {@link MmCoreEras}) pair them.
 */
final class S390Layouts {
    private S390Layouts() {
    }

    /**
     * The release a layout is tested in: the first that selects it whose page types have
     * Kmemcg (the type the fragment bits collide with), else the first that selects it.
     */
    static KernelRelease release(FragmentLayout.Eras layout) {
        KernelRelease[] selecting = Arrays.stream(KernelRelease.values())
                .filter(r -> S390Eras.LAYOUT.at(r).equals(layout.policyName()))
                .toArray(KernelRelease[]::new);
        return Arrays.stream(selecting).filter(S390Layouts::hasKmemcg).findFirst().orElse(selecting[0]);
    }

    private static boolean hasKmemcg(KernelRelease release) {
        String name = MmCoreEras.PAGE_TYPES.at(release);
        return Arrays.stream(Encoding.values())
                .anyMatch(e -> e.policyName().equals(name) && e.supports(PageType.KMEMCG));
    }

    /** {@link S390Module} with {@code layout} and its era's page types selected. */
    static Module binding(FragmentLayout.Eras layout) {
        return Modules.combine(new S390Module(),
                binder -> policyBinder(binder, FragmentLayout.class).select(layout.policyName()),
                binder -> policyBinder(binder, PageTypeEncoding.class)
                        .select(MmCoreEras.PAGE_TYPES.at(release(layout))));
    }

    /** A 64M machine with the s390 binding in {@code layout} and {@code more} modules. */
    static TestMachine boot(FragmentLayout.Eras layout, Module... more) {
        Module[] all = new Module[more.length + 1];
        all[0] = binding(layout);
        System.arraycopy(more, 0, all, 1, more.length);
        return TestMachine.boot(MemoryConfig.of("64M"), all);
    }
}
