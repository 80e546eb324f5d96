/**
 * SLUB-like slab caches with per-object cgroup ownership (mm/slub.c, mm/slab_common.c). Filled by the slab issue.
 */
package org.mmemu.slab;
