/**
 * Cross-subsystem scenarios; the tests live under src/test.
 */
package org.mmemu.it;
