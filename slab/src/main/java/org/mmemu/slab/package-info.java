/**
 * SLUB slab caches and kmalloc (mm/slub.c, mm/slab_common.c): {@link org.mmemu.slab.KmemCache},
 * the allocator {@link org.mmemu.slab.Slub}, the kmalloc size classes and {@code kmalloc_large}
 * ({@link org.mmemu.slab.Kmalloc}), and the seam where memcg's slab accounting plugs in
 * ({@link org.mmemu.slab.SlabAccounting}). SLUB's per-page state overlays {@code struct page}'s
 * words as the era's kernel overlays them ({@link org.mmemu.slab.SlabPageLayout}); free objects
 * hold the free pointer in their own bytes.
 */
package org.mmemu.slab;
