package org.mmemu.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.CreationException;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.util.Modules;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Injectors;
import org.mmemu.core.Machine;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.page.PageTypeEncoding;

/** Named policies: a registry per kind, a default, and selection by name or instance. */
class PolicyBinderTest {

    /** A policy kind of the test's own. */
    interface Batch {
        int pages();
    }

    /** Something that needs the policy as soon as the injector exists. */
    static final class BatchUser {
        @Inject
        BatchUser(Batch batch) {
        }
    }

    private static Injector injector(com.google.inject.Module... extra) {
        com.google.inject.Module base = b -> policyBinder(b, Batch.class)
                .register("batch.V4_8", () -> 32)
                .register("batch.Latest", () -> 64)
                .setDefault("batch.Latest");
        com.google.inject.Module[] all = new com.google.inject.Module[extra.length + 1];
        all[0] = base;
        System.arraycopy(extra, 0, all, 1, extra.length);
        return Injectors.strict(all);
    }

    @Test
    void theDefaultIsUsedUnlessAnotherIsSelected() {
        assertThat(injector().getInstance(Batch.class).pages()).isEqualTo(64);
        assertThat(injector(b -> policyBinder(b, Batch.class).select("batch.V4_8"))
                .getInstance(Batch.class).pages()).isEqualTo(32);
        assertThat(injector(b -> policyBinder(b, Batch.class).select(() -> 7))
                .getInstance(Batch.class).pages()).as("a user's own policy").isEqualTo(7);
    }

    @Test
    void anOverridingModuleReplacesAnotherModulesSelection() {
        com.google.inject.Module era = b -> policyBinder(b, Batch.class).select("batch.V4_8");
        assertThat(injector(Modules.override(era).with(b -> policyBinder(b, Batch.class).select("batch.Latest")))
                .getInstance(Batch.class).pages()).isEqualTo(64);
        assertThat(injector(Modules.override(era).with(b -> policyBinder(b, Batch.class).select(() -> 7)))
                .getInstance(Batch.class).pages()).as("a user's own policy over the era's").isEqualTo(7);
    }

    @Test
    void theRegistryListsEveryNamedPolicyOfTheKind() {
        Injector i = injector(b -> policyBinder(b, Batch.class).register("batch.Mine", () -> 1));
        assertThat(PolicyBinder.registry(i, Batch.class)).containsOnlyKeys("batch.V4_8", "batch.Latest", "batch.Mine");
        assertThat(PolicyBinder.registry(i, Batch.class).get("batch.V4_8").pages()).isEqualTo(32);
    }

    @Test
    void anUnknownNameFailsAtInjectorCreationListingTheKnownOnes() {
        // Injectors create a machine's services at once, so one that needs the policy fails the creation.
        assertThatThrownBy(() -> injector(
                b -> policyBinder(b, Batch.class).select("batch.V9"),
                b -> b.bind(BatchUser.class).in(MachineScoped.class)))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("no Batch policy named 'batch.V9'; known: [batch.Latest, batch.V4_8]");
    }

    @Test
    void mmCoreSelectsPageTypeEncodingsByName() {
        Machine latest = Machine.boot();
        assertThat(latest.types.encoding()).isSameAs(Encoding.TOP_BYTE_6_13);
        Machine m48 = Machine.bootWithPageTypes("pagetype.Value48");
        assertThat(m48.types.encoding()).isSameAs(Encoding.VALUE_4_8);
        assertThat(latest.leakedPages() + m48.leakedPages()).isZero();
    }

    @Test
    void mmCoreRefusesAnUnknownEncodingAtBoot() {
        assertThatThrownBy(() -> Machine.bootWithPageTypes("pagetype.Value47"))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("no PageTypeEncoding policy named 'pagetype.Value47'; known: "
                        + "[pagetype.Bits418, pagetype.Bits50, pagetype.Bits511, pagetype.TopByte613,"
                        + " pagetype.Value46, pagetype.Value48]");
    }

    @Test
    void encodingsAreRegisteredUnderTheirPolicyNames() {
        for (Encoding e : Encoding.values()) {
            Machine m = Machine.bootWithPageTypes(e.policyName());
            PageTypeEncoding selected = m.types.encoding();
            assertThat(selected).isSameAs(e);
            assertThat(m.leakedPages()).isZero();
        }
    }
}
