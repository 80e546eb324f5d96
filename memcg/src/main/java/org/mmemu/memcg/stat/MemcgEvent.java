package org.mmemu.memcg.stat;

/**
 * {@code enum memcg_memory_event}: what memory.events counts, then what memory.swap.events
 * counts, each in the kernel's print order.
 */
public enum MemcgEvent {
    /** {@code MEMCG_LOW}: reclaimed below memory.low (never raised here: no reclaim). */
    LOW("low"),
    /** {@code MEMCG_HIGH}: usage went over memory.high. */
    HIGH("high"),
    /** {@code MEMCG_MAX}: a charge hit memory.max. */
    MAX("max"),
    /** {@code MEMCG_OOM}: the cgroup went out of memory. */
    OOM("oom"),
    /** {@code MEMCG_OOM_KILL}: a task in the cgroup was OOM-killed. */
    OOM_KILL("oom_kill"),
    /** {@code MEMCG_OOM_GROUP_KILL}: a memory.oom.group kill happened (6.x). */
    OOM_GROUP_KILL("oom_group_kill"),
    /** {@code MEMCG_SWAP_HIGH}: swap usage went over memory.swap.high (never raised: no swap). */
    SWAP_HIGH("high"),
    /** {@code MEMCG_SWAP_MAX}: a swap charge hit memory.swap.max (never raised: no swap). */
    SWAP_MAX("max"),
    /** {@code MEMCG_SWAP_FAIL}: a swap-out failed for want of swap (never raised: no swap). */
    SWAP_FAIL("fail");

    private final String key;

    MemcgEvent(String key) {
        this.key = key;
    }

    /** The key memory.events (or memory.swap.events) prints. */
    public String key() {
        return key;
    }
}
