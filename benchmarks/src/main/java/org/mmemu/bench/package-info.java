/**
 * JMH benchmarks of the hot paths.
 */
package org.mmemu.bench;
