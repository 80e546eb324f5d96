package org.mmemu.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.policy.PolicyBinder.policyBinder;

import com.google.inject.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.bpf.BpfConfig;
import org.mmemu.bpf.BpfEras;
import org.mmemu.core.alloc.PageAllocTexts;
import org.mmemu.core.cred.InitRlimits;
import org.mmemu.core.era.EraDescriptor;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.mm.GenericPageTableAllocator;
import org.mmemu.core.mm.InsertPagePolicy;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.mm.PageTableGfp;
import org.mmemu.core.page.GfpLayout;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.SlabAccounting;
import org.mmemu.memcg.fs.CgroupFsLayout;
import org.mmemu.memcg.kmem.KmemAccountingPolicy;
import org.mmemu.memcg.stat.MemoryStatFormat;
import org.mmemu.net.UnixConfig;
import org.mmemu.net.UnixEras;
import org.mmemu.pipe.PipeConfig;
import org.mmemu.pipe.PipeEras;
import org.mmemu.s390.FragmentLayout;
import org.mmemu.s390.S390PageTableAllocator;
import org.mmemu.slab.CloneDeactivation;
import org.mmemu.slab.FreePointerOffset;
import org.mmemu.slab.KmallocLargePages;
import org.mmemu.slab.KmallocNames;
import org.mmemu.slab.KmallocTypes;
import org.mmemu.slab.MemcgFromObjReader;
import org.mmemu.slab.SlabOrder;
import org.mmemu.slab.SlabPageLayout;
import org.mmemu.slab.SlubTexts;

/**
 * The era presets: each boots (with the generic and with the s390 page tables) and the booted
 * machine really runs the policies and the memcg config the modules' era tables select (what
 * they select is checked against README.md by {@code cli.ReadmeErasTableTest}). Every machine ends
 * with its consistency checks.
 */
class EraTest {
    private static final KernelConfig SMALL = KernelConfig.memory("16M");

    /** What a policy instance calls itself: its {@code policyName()}, or {@code gfp.<name>} for a layout. */
    private static String nameOf(Class<?> kind, Object policy) {
        if (policy instanceof GfpLayout) {
            return "gfp." + ((GfpLayout) policy).name();
        }
        try {
            return (String) kind.getMethod("policyName").invoke(policy);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(kind + " has no policyName()", e);
        }
    }

    @Test
    void thereIsOnePresetPerKernelReleaseSelectingEveryPolicyOfEveryModule() {
        assertThat(Era.values()).extracting(Era::release).containsExactly(KernelRelease.values());
        assertThat(Era.descriptors()).extracting(EraDescriptor::name).containsExactly("mm-core", "memcg", "slab",
                "pipe-unix-sock", "af_unix", "bpf-maps", "arch-s390");
        assertThat(Era.V4_8.policies().keySet()).containsExactly(PageTypeEncoding.class, GfpLayout.class,
                InsertPagePolicy.class, PageTableGfp.class, PageAllocTexts.class, InitRlimits.class,
                KmemAccountingPolicy.class,
                MemoryStatFormat.class, CgroupFsLayout.class, SlabAccounting.class,
                SlabPageLayout.class, FreePointerOffset.class, SlabOrder.class, KmallocLargePages.class,
                KmallocNames.class, KmallocTypes.class, SlubTexts.class, MemcgFromObjReader.class,
                CloneDeactivation.class, FragmentLayout.class);
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void theBootedMachineRunsThePoliciesItsEraSelects(Era era) {
        Kernel k = Kernel.boot(era, SMALL.arch(Arch.S390));

        era.policies().forEach((kind, name) ->
                assertThat(nameOf(kind, k.get(kind))).as("%s", kind.getSimpleName()).isEqualTo(name));
        assertThat(k.get(MemcgConfig.class)).isSameAs(era.memcgConfig());
        assertThat(k.get(PipeConfig.class)).isSameAs(PipeEras.CONFIG.at(era.release()));
        assertThat(k.get(UnixConfig.class)).isSameAs(UnixEras.CONFIG.at(era.release()));
        assertThat(k.get(BpfConfig.class)).isSameAs(BpfEras.CONFIG.at(era.release()));
        assertThat(k.get(PageTableAllocator.class)).isInstanceOf(S390PageTableAllocator.class);
        assertThat(k.checkConsistency()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void withoutS390TheLayoutSelectionIsInertAndTheTablesAreGeneric(Era era) {
        Kernel k = Kernel.boot(era, SMALL);

        assertThat(k.get(PageTableAllocator.class).policyName()).isEqualTo(GenericPageTableAllocator.NAME);
        assertThat(k.get(PageTypeEncoding.class).policyName()).isEqualTo(era.policy(PageTypeEncoding.class));
        assertThat(k.checkConsistency()).isEmpty();
    }

    @Test
    void extraModulesOverrideTheErasChoiceOfAKind() {
        Module bits = binder -> policyBinder(binder, PageTypeEncoding.class).select("pagetype.Bits418");

        Kernel k = Kernel.boot(Era.V4_8, SMALL.override(bits).kmemAccounting(false));

        assertThat(k.get(PageTypeEncoding.class).policyName()).isEqualTo("pagetype.Bits418");
        assertThat(k.get(MemcgConfig.class).kmemAccounting()).isFalse();
        assertThat(k.get(KmemAccountingPolicy.class).policyName()).as("the rest stays 4.8").isEqualTo("kmem.PageType");
        assertThat(k.checkConsistency()).isEmpty();
    }

    @Test
    void aNameAndAVersionForReports() {
        assertThat(Era.values()).extracting(Era::version)
                .containsExactly("4.7", "4.8", "4.18", "5.9", "5.10", "5.11", "latest");
        assertThat(Era.V5_11).hasToString("V5_11 (5.11)");
        assertThat(Era.V4_8.policy(Kernel.class)).as("a kind no era selects").isNull();
    }
}
