/**
 * Reusable test support that needs no test framework: seeded runs. The JUnit extension and
 * AssertJ assertions are in the {@code mm-core-testing} module.
 */
package org.mmemu.core.testing;
