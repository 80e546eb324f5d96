/**
 * Consistency checks run at quiescence (after every test): the {@link
 * org.mmemu.core.check.ConsistencyCheck} SPI, the {@link org.mmemu.core.check.ConsistencyChecks}
 * service that runs every bound check, and mm-core's own checks, the buddy invariants and the
 * page leak check ("nothing lost").
 */
package org.mmemu.core.check;
