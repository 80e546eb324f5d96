package org.mmemu.s390;

import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Module;
import com.google.inject.util.Modules;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.testing.junit.TestMachine;

/** The s390 binding with each layout and the page-type encoding of that layout's era. */
final class S390Eras {
    private S390Eras() {
    }

    /** The page types of the era a layout belongs to. */
    static String pageTypes(FragmentLayout.Eras layout) {
        switch (layout) {
            case MAPCOUNT_4_8:
                return "pagetype.Value48";
            case REFCOUNT_4_18:
                return "pagetype.Bits418";
            default:
                return "pagetype.TopByte613";
        }
    }

    /** {@link S390Module} with {@code layout} and its era's page types selected. */
    static Module binding(FragmentLayout.Eras layout) {
        return Modules.combine(new S390Module(),
                binder -> policyBinder(binder, FragmentLayout.class).select(layout.policyName()),
                binder -> policyBinder(binder, PageTypeEncoding.class).select(pageTypes(layout)));
    }

    /** A 64M machine with the s390 binding in {@code layout} and {@code more} modules. */
    static TestMachine boot(FragmentLayout.Eras layout, Module... more) {
        Module[] all = new Module[more.length + 1];
        all[0] = binding(layout);
        System.arraycopy(more, 0, all, 1, more.length);
        return TestMachine.boot(MemoryConfig.of("64M"), all);
    }
}
