package org.mmemu.core.era;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.policy.PolicyBinder;

/** Every policy mm-core's era table selects is one MmCoreModule registers, and runs when selected. */
class MmCoreErasTest {
    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void aMachineOfEachReleaseRunsThePoliciesTheTableNames(KernelRelease release) {
        Injector i = Injectors.strict(new MmCoreModule(MemoryConfig.of("16M")),
                MmCoreEras.DESCRIPTOR.module(release));

        assertThat(MmCoreEras.DESCRIPTOR.choices()).allSatisfy(c -> assertThat(i.getInstance(c.kind()))
                .as(c.column()).isNotNull().isSameAs(registered(i, c.kind(), c.at(release))));
    }

    /** The policy registered under {@code name} in the kind's registry. */
    private static Object registered(Injector i, Class<?> kind, Object name) {
        return PolicyBinder.registry(i, kind).get(name);
    }
}
