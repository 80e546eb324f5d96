/**
 * JUnit 5 support for tests of the whole kernel: {@link org.mmemu.kernel.junit.Eras} runs a test
 * method once per era with a fresh {@code Kernel}, closed and checked after it.
 */
package org.mmemu.kernel.junit;
