/**
 * The s390 page-table allocator (arch/s390/mm/pgalloc.c): an alternate binding of mm-core's
 * {@link org.mmemu.core.mm.PageTableAllocator} SPI. PTE tables are 2K halves of 4K pages whose
 * state sits in {@code _mapcount} (4.x) or the top byte of {@code _refcount} (4.18+), or whole
 * pages (6.8+); region and segment (CRST) tables are order-2 blocks; teardowns free tables after
 * an RCU grace period. Install {@link org.mmemu.s390.S390Module} to use it.
 */
package org.mmemu.s390;
