package org.mmemu.it.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.google.common.collect.Multimap;
import com.google.common.collect.Multiset;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaParameterizedType;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.page.Page;

/**
 * DESIGN.md's module arrows and its struct-page rule, as ArchUnit rules over package patterns
 * (a module's classes are found by its packages, so a module added later is covered the day its
 * classes land). {@link LayeringTest} runs them over every module's main classes;
 * {@link MmemuRulesTest} proves each catches a violation.
 */
final class MmemuRules {
    /** mm-core's packages (mm-core-testing's too: it sits on mm-core alone). */
    static final String MM_CORE = "org.mmemu.core..";
    static final String MEMCG = "org.mmemu.memcg..";
    static final String SLAB = "org.mmemu.slab..";
    static final String BPF_MAPS = "org.mmemu.bpf..";
    static final String[] PIPE_UNIX_SOCK = {"org.mmemu.pipe..", "org.mmemu.net.."};
    static final String ARCH_S390 = "org.mmemu.s390..";
    static final String KERNEL = "org.mmemu.kernel..";
    /** Every module above kernel: they may use anything. */
    private static final String[] ABOVE_KERNEL = {"org.mmemu.it..", "org.mmemu.bench.."};
    private static final String ANY_MODULE = "org.mmemu..";

    /** mm-core knows nothing of the modules above it. */
    @ArchTest
    static final ArchRule MM_CORE_USES_NO_UPPER_MODULE = noClasses().that().resideInAPackage(MM_CORE)
            .should().dependOnClassesThat(resideInAPackage(ANY_MODULE).and(not(resideInAPackage(MM_CORE))))
            .because("mm-core is the lowest module (DESIGN.md, Maven modules)");

    /** memcg sits on mm-core only: no tenant, no kernel. */
    @ArchTest
    static final ArchRule MEMCG_USES_ONLY_MM_CORE = noClasses().that().resideInAPackage(MEMCG)
            .should().dependOnClassesThat(resideInAPackage(ANY_MODULE)
                    .and(not(resideInAnyPackage(MM_CORE, MEMCG))))
            .because("memcg sits on mm-core alone; the tenants plug into it (DESIGN.md, Maven modules)");

    /** The tenants use no other tenant, except that bpf-maps and pipe-unix-sock use slab. */
    @ArchTest
    static final ArchRule TENANTS_USE_ONLY_SLAB = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("slab").definedBy(SLAB)
            .layer("bpf-maps").definedBy(BPF_MAPS)
            .layer("pipe-unix-sock").definedBy(PIPE_UNIX_SOCK)
            .layer("arch-s390").definedBy(ARCH_S390)
            .whereLayer("slab").mayOnlyBeAccessedByLayers("bpf-maps", "pipe-unix-sock")
            .whereLayer("bpf-maps").mayNotBeAccessedByAnyLayer()
            .whereLayer("pipe-unix-sock").mayNotBeAccessedByAnyLayer()
            .whereLayer("arch-s390").mayNotBeAccessedByAnyLayer()
            .because("dependencies point down DESIGN.md's module table only");

    /** Only the modules above kernel use it. */
    @ArchTest
    static final ArchRule NOTHING_BELOW_KERNEL_USES_IT = noClasses()
            .that().resideOutsideOfPackages(concat(KERNEL, ABOVE_KERNEL))
            .should().dependOnClassesThat().resideInAPackage(KERNEL)
            .because("kernel composes every module and is composed by none (DESIGN.md, Maven modules)");

    /** No side table keyed by page: per-page state lives in Page's fields. */
    @ArchTest
    static final ArchRule NO_FIELD_KEYED_BY_PAGE = fields().that().areDeclaredInClassesThat()
            .resideInAPackage(ANY_MODULE)
            .should(new NotKeyedByPage())
            .because("struct page is all there is: per-page state lives in Page's fields (DESIGN.md, Principles)");

    private MmemuRules() {
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** A field whose declared type is a map or multimap keyed by Page, or a set or multiset of Page. */
    private static final class NotKeyedByPage extends ArchCondition<JavaField> {
        private static final List<Class<?>> KEYED = List.of(Map.class, Set.class, Multimap.class, Multiset.class);

        NotKeyedByPage() {
            super("not be a map keyed by Page or a set of Page");
        }

        @Override
        public void check(JavaField field, ConditionEvents events) {
            JavaType type = field.getType();
            if (!(type instanceof JavaParameterizedType parameterized)
                    || parameterized.getActualTypeArguments().isEmpty()) {
                return;
            }
            JavaClass raw = type.toErasure();
            JavaClass key = parameterized.getActualTypeArguments().get(0).toErasure();
            boolean keyed = KEYED.stream().anyMatch(raw::isAssignableTo) && key.isAssignableTo(Page.class);
            if (keyed) {
                events.add(SimpleConditionEvent.violated(field, field.getFullName() + " is a "
                        + raw.getSimpleName() + " keyed by Page in " + field.getSourceCodeLocation()));
            }
        }
    }
}
