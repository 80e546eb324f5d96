package org.mmemu.kernel.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A test class that {@link ErasTest} runs through the JUnit Platform testkit. Some fail on
 * purpose, so they run only while the testkit runs them, never when a build discovers them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfSystemProperty(named = ErasCase.PROPERTY, matches = "true")
@interface ErasCase {
    String PROPERTY = "mmemu.eras.case";
}
