package org.mmemu.core.era;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.era.KernelRelease.V4_18;
import static org.mmemu.core.era.KernelRelease.V4_7;
import static org.mmemu.core.era.KernelRelease.V4_8;
import static org.mmemu.core.era.KernelRelease.V5_11;

import com.google.inject.Injector;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Injectors;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.MmCoreModule;
import org.mmemu.core.page.PageTypeEncoding;

class EraChoiceTest {
    private static final EraChoice<String> TYPES = EraChoice.policy("page types", PageTypeEncoding.class,
            "pagetype.Value46").since(V4_18, "pagetype.Bits418");

    @Test
    void aValueHoldsFromItsReleaseUntilTheNextChange() {
        EraChoice<String> changed = TYPES.since(V5_11, "pagetype.Bits511");

        assertThat(Arrays.stream(KernelRelease.values()).map(changed::at)).containsExactly(
                "pagetype.Value46", "pagetype.Value46", "pagetype.Bits418", "pagetype.Bits418",
                "pagetype.Bits418", "pagetype.Bits511", "pagetype.Bits511");
        assertThat(TYPES.at(V5_11)).as("since returns a copy").isEqualTo("pagetype.Bits418");
        assertThat(changed.text(V4_8)).isEqualTo("pagetype.Value46");
        assertThat(changed.isPolicy()).isTrue();
        assertThat(changed.kind()).isEqualTo(PageTypeEncoding.class);
    }

    @Test
    void changesAreListedOldestFirst() {
        assertThatThrownBy(() -> TYPES.since(V4_8, "pagetype.Value48"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("page types: since(V4_8) must come after V4_18");
        assertThatThrownBy(() -> EraChoice.policy("x", PageTypeEncoding.class, "a").since(V4_7, "b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPolicyChoiceSelectsTheNamedPolicyInAMachine() {
        Injector i = Injectors.strict(new MmCoreModule(MemoryConfig.of("16M")),
                EraDescriptor.of("test", TYPES).module(V4_18));

        assertThat(i.getInstance(PageTypeEncoding.class).policyName()).isEqualTo("pagetype.Bits418");
    }

    @Test
    void aConfigChoiceBindsItsValueAndDescribesIt() {
        EraChoice<Integer> batch = EraChoice.config("batch", Integer.class, 32, n -> "batch " + n,
                (binder, n) -> binder.bind(Integer.class).toInstance(n)).since(KernelRelease.LATEST, 64);
        EraDescriptor d = EraDescriptor.of("test", TYPES, batch);

        Injector latest = Injectors.strict(new MmCoreModule(MemoryConfig.of("16M")), d.module(KernelRelease.LATEST));
        Injector policiesOnly = Injectors.strict(new MmCoreModule(MemoryConfig.of("16M")), d.policies(V4_7));

        assertThat(latest.getInstance(Integer.class)).isEqualTo(64);
        assertThat(batch.text(V4_7)).isEqualTo("batch 32");
        assertThat(batch.isPolicy()).isFalse();
        assertThat(policiesOnly.getExistingBinding(com.google.inject.Key.get(Integer.class))).isNull();
        assertThat(policiesOnly.getInstance(PageTypeEncoding.class).policyName()).isEqualTo("pagetype.Value46");
    }
}
