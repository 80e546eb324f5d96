/**
 * Reusable test support that needs no test framework: seeded runs, and threads that hold a CPU
 * between the steps a test hands them. The JUnit extension and
 * AssertJ assertions are in the {@code mm-core-testing} module.
 */
package org.mmemu.core.testing;
