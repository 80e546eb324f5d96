/**
 * Contract suites: abstract JUnit 5 test classes that a binding of an mm-core SPI extends to
 * prove it behaves as mm-core's callers expect. {@link
 * org.mmemu.core.testing.contract.AddressSpaceContract} covers user address spaces over any
 * page-table allocator; {@link org.mmemu.core.testing.contract.PageTableCensus} counts what an
 * mm's tables hold.
 */
package org.mmemu.core.testing.contract;
