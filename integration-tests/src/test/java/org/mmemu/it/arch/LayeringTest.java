package org.mmemu.it.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;

/**
 * {@link MmemuRules} over the main classes of every module: this module's test classpath holds
 * them all, through kernel.
 */
@AnalyzeClasses(packages = "org.mmemu", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    @ArchTest
    static final ArchTests MMEMU_RULES = ArchTests.in(MmemuRules.class);
}
