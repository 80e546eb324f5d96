/**
 * Consistency checks run at quiescence (after every test): the {@link
 * org.mmemu.core.check.ConsistencyCheck} SPI, the {@link org.mmemu.core.check.ConsistencyChecks}
 * service that runs every bound check, mm-core's own checks, the buddy invariants and the
 * page leak check ("nothing lost"), and the machine's {@link org.mmemu.core.check.Expectations}:
 * the bad-page reports and leaks its user declared it provokes.
 */
package org.mmemu.core.check;
