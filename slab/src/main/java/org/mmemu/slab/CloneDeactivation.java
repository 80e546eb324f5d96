package org.mmemu.slab;

/**
 * When a cgroup's cache clone, deactivated at the cgroup's offline ({@link MemcgCaches}), gives
 * its empty slabs back (up to 5.8):
 *
 * <pre>
 *  4.6.2    memcg_deactivate_kmem_caches: __kmem_cache_shrink(c, true) at once: min_partial 0,
 *           kick_all_cpus_sync() (an IPI, no grace period), flush_all, the empty slabs freed
 *  4.8.15   the same with synchronize_sched() in place of the IPI: the offline waits out a
 *           grace period first
 *  4.18     __kmemcg_cache_deactivate: min_partial 0 at once, the shrink after a sched-RCU grace
 *           period (slab_deactivate_memcg_cache_rcu_sched) by a work item
 *           (kmemcg_deactivate_workfn) that holds a css reference: until both have run the CPU
 *           slabs and the empty partial slabs stay, charged, and the cgroup dying
 * </pre>
 *
 * The 4.18 design came with commit 01fb58bcba63 (January 2017, so 4.11). The emulator has one
 * RCU flavour, which stands in for sched-RCU.
 */
public interface CloneDeactivation {
    /** The name the era table selects. */
    String policyName();

    /** Whether the offline itself waits for a grace period before the shrink (4.8's {@code synchronize_sched}). */
    boolean waitsGracePeriod();

    /** Whether the shrink is deferred past a grace period to a work item (4.18). */
    boolean afterGracePeriod();

    /** The deactivations the kernel has had. */
    enum Eras implements CloneDeactivation {
        /** 4.6.2 ({@code __kmem_cache_shrink(s, deactivate)} with {@code kick_all_cpus_sync}). */
        KICK_CPUS("clonedeact.KickCpus", false, false),
        /** 4.8.15 ({@code __kmem_cache_shrink(s, deactivate)} with {@code synchronize_sched}). */
        SYNC_SCHED_4_8("clonedeact.SyncSched48", true, false),
        /** 4.11 to 5.8 ({@code slab_deactivate_memcg_cache_rcu_sched}). */
        RCU_WORK_4_11("clonedeact.RcuWork411", false, true);

        private final String policyName;
        private final boolean waitsGracePeriod;
        private final boolean afterGracePeriod;

        Eras(String policyName, boolean waitsGracePeriod, boolean afterGracePeriod) {
            this.policyName = policyName;
            this.waitsGracePeriod = waitsGracePeriod;
            this.afterGracePeriod = afterGracePeriod;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public boolean waitsGracePeriod() {
            return waitsGracePeriod;
        }

        @Override
        public boolean afterGracePeriod() {
            return afterGracePeriod;
        }
    }
}
