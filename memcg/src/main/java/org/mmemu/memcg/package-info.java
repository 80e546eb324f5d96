/**
 * Memory cgroups (mm/memcontrol.c, mm/page_counter.c): the cgroup tree, page counters, kmem accounting policies and the cgroup v2 files. Filled by the memcg issue.
 */
package org.mmemu.memcg;
