package org.mmemu.it.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;
import org.mmemu.bpf.archfixture.BpfMapOnSlab;
import org.mmemu.core.archfixture.CoreUsingMemcg;
import org.mmemu.core.archfixture.PageCollections;
import org.mmemu.core.archfixture.PageSideTables;
import org.mmemu.memcg.archfixture.MemcgUsingKernel;
import org.mmemu.memcg.archfixture.MemcgUsingSlab;
import org.mmemu.s390.archfixture.S390UsingBpf;
import org.mmemu.slab.archfixture.SlabCache;

/** Each of {@link MmemuRules} catches a deliberately bad fixture class, and lets the allowed ones pass. */
class MmemuRulesTest {
    private static EvaluationResult evaluate(ArchRule rule, Class<?>... classes) {
        return rule.evaluate(new ClassFileImporter().importClasses(classes));
    }

    private static String violations(ArchRule rule, Class<?>... classes) {
        EvaluationResult result = evaluate(rule, classes);
        assertThat(result.hasViolation()).as("%s catches %s", rule.getDescription(), classes[0].getSimpleName())
                .isTrue();
        return String.join("\n", result.getFailureReport().getDetails());
    }

    @Test
    void mmCoreUsingAnUpperModuleIsCaught() {
        assertThat(violations(MmemuRules.MM_CORE_USES_NO_UPPER_MODULE, CoreUsingMemcg.class))
                .contains(CoreUsingMemcg.class.getName(), "org.mmemu.memcg.MemcgConfig");
        assertThat(evaluate(MmemuRules.MM_CORE_USES_NO_UPPER_MODULE, PageCollections.class).hasViolation()).isFalse();
    }

    @Test
    void memcgUsingATenantOrKernelIsCaught() {
        assertThat(violations(MmemuRules.MEMCG_USES_ONLY_MM_CORE, MemcgUsingSlab.class))
                .contains(SlabCache.class.getName());
        assertThat(violations(MmemuRules.MEMCG_USES_ONLY_MM_CORE, MemcgUsingKernel.class))
                .contains("org.mmemu.kernel.Era");
    }

    @Test
    void aTenantUsingAnotherIsCaughtButBpfMapsMayUseSlab() {
        assertThat(violations(MmemuRules.TENANTS_USE_ONLY_SLAB, S390UsingBpf.class, BpfMapOnSlab.class, SlabCache.class))
                .contains(S390UsingBpf.class.getName() + ".map> has type <" + BpfMapOnSlab.class.getName())
                .doesNotContain("<" + BpfMapOnSlab.class.getName() + ".elements>");
        assertThat(evaluate(MmemuRules.TENANTS_USE_ONLY_SLAB, BpfMapOnSlab.class, SlabCache.class).hasViolation())
                .isFalse();
    }

    @Test
    void aModuleBelowKernelUsingKernelIsCaught() {
        assertThat(violations(MmemuRules.NOTHING_BELOW_KERNEL_USES_IT, MemcgUsingKernel.class))
                .contains(MemcgUsingKernel.class.getName(), "org.mmemu.kernel.Era");
    }

    @Test
    void aMapKeyedByPageOrASetOfPagesIsCaughtButListsAndPageValuesPass() {
        assertThat(violations(MmemuRules.NO_FIELD_KEYED_BY_PAGE, PageSideTables.class))
                .contains(PageSideTables.class.getName() + ".ownerOf", PageSideTables.class.getName() + ".marked");
        assertThat(evaluate(MmemuRules.NO_FIELD_KEYED_BY_PAGE, PageCollections.class).hasViolation()).isFalse();
    }
}
