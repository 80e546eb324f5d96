/**
 * The JUnit 5 side of mmemu's test support: {@link org.mmemu.core.testing.junit.MachineExtension}
 * boots a {@link org.mmemu.core.testing.junit.TestMachine} per test and fails the test on leaked
 * pages, consistency-check violations and undeclared bad pages.
 */
package org.mmemu.core.testing.junit;
