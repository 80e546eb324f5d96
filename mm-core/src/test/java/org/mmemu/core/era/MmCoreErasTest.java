package org.mmemu.core.era;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.PageTableGfp;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.PageTypeEncoding;

/** Every policy mm-core's era table selects is one MmCoreModule registers, and runs when selected. */
class MmCoreErasTest {
    /** What a policy instance calls itself, per kind. */
    private static final Map<Class<?>, Function<Object, String>> NAME_OF = Map.of(
            PageTypeEncoding.class, p -> ((PageTypeEncoding) p).policyName(),
            GfpLayout.class, p -> "gfp." + ((GfpLayout) p).name(),
            InsertPagePolicy.class, p -> ((InsertPagePolicy) p).policyName(),
            PageTableGfp.class, p -> ((PageTableGfp) p).policyName());

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void aMachineOfEachReleaseRunsThePoliciesTheTableNames(KernelRelease release) {
        Injector i = Injectors.strict(new MmCoreModule(MemoryConfig.of("16M")),
                MmCoreEras.DESCRIPTOR.module(release));

        assertThat(MmCoreEras.DESCRIPTOR.choices()).allSatisfy(c -> assertThat(
                NAME_OF.get(c.kind()).apply(i.getInstance(c.kind()))).as(c.column()).isEqualTo(c.at(release)));
    }
}
