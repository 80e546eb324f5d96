/**
 * The s390 page-table allocator (arch/s390/mm/pgalloc.c). Filled by the arch-s390 issue.
 */
package org.mmemu.s390;
