/**
 * Reusable test support that needs no test framework: seeded runs, threads that hold a CPU
 * between the steps a test hands them and park them at interleaving points, seeded schedules
 * that switch between such threads at random points, and a driver whose files map vmalloc
 * memory ({@link org.mmemu.core.testing.VmallocDriver}). The JUnit extension and AssertJ
 * assertions are in the {@code mm-core-testing} module.
 */
package org.mmemu.core.testing;
