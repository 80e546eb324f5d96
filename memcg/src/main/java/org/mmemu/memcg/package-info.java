/**
 * Memory cgroups (mm/memcontrol.c, mm/page_counter.c): the cgroup tree ({@link
 * org.mmemu.memcg.CgroupTree}, {@link org.mmemu.memcg.Cgroups}), hierarchical page counters,
 * charging with the per-CPU stock ({@link org.mmemu.memcg.MemcgCharger},
 * {@link org.mmemu.memcg.ChargeStock}), obj_cgroups, the {@code memcg_data} encodings
 * ({@link org.mmemu.memcg.MemcgData}), the memcg OOM killer, and remote charging
 * ({@link org.mmemu.memcg.CurrentMemcg}). Kmem accounting policies are in {@code kmem},
 * statistics in {@code stat}, the cgroup v2 files in {@code fs}. Wired by
 * {@link org.mmemu.memcg.MemcgModule}.
 */
package org.mmemu.memcg;
