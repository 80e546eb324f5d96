package org.mmemu.core.testing.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Marks a test class that exists to be run by {@link MachineExtensionTest} through the JUnit
 * Platform testkit. Many such classes fail on purpose, so they run only while the testkit runs
 * them, never when an IDE or build discovers them on its own.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfSystemProperty(named = TestKitCase.PROPERTY, matches = "true")
@interface TestKitCase {
    String PROPERTY = "mmemu.testkit.case";
}
