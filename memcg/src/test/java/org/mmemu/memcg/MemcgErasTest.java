package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.policy.PolicyBinder;

/** Every release's memcg choices are registered policies, and a machine of the release runs them. */
class MemcgErasTest {
    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void aMachineOfEachReleaseRunsWhatTheTableSelects(KernelRelease release) {
        MemcgMachine m = MemcgMachine.boot(MemcgEras.DESCRIPTOR.module(release));

        assertThat(MemcgEras.DESCRIPTOR.choices()).filteredOn(c -> c.isPolicy()).allSatisfy(c -> {
            Map<String, ?> registry = PolicyBinder.registry(m.injector, c.kind());
            assertThat(m.injector.getInstance(c.kind())).as(c.column()).isNotNull().isSameAs(registry.get(c.at(release)));
        });
        assertThat(m.config).isSameAs(MemcgEras.CONFIG.at(release));
        m.assertNoLeaks();
    }

    @Test
    void theConfigCellNamesTheBatchTheChargePathAndWhatDiffersFromTheDefaults() {
        assertThat(MemcgEras.CONFIG.text(KernelRelease.V4_7)).isEqualTo("32, V4_8, v1 kmem counter");
        assertThat(MemcgEras.CONFIG.text(KernelRelease.V5_10)).isEqualTo("32, V5_10");
        assertThat(MemcgEras.CONFIG.text(KernelRelease.LATEST)).isEqualTo("64, LATEST, uncharge via stock");
    }
}
