package org.mmemu.slab;

/**
 * When a cgroup's cache clone, deactivated at the cgroup's offline ({@link MemcgCaches}), gives
 * its empty slabs back (up to 5.8):
 *
 * <pre>
 *  .. 4.10      memcg_deactivate_kmem_caches: __kmem_cache_shrink(c, true) at once (4.8.15):
 *                min_partial 0, synchronize_sched(), flush_all, the empty slabs freed
 *  4.11 .. 5.8   __kmemcg_cache_deactivate (4.18): min_partial 0 at once, the shrink after a
 *                sched-RCU grace period (slab_deactivate_memcg_cache_rcu_sched) by a work item
 *                (kmemcg_deactivate_workfn) that holds a css reference: until both have run the
 *                CPU slabs and the empty partial slabs stay, charged, and the cgroup dying
 * </pre>
 *
 * The emulator has one RCU flavour, which stands in for sched-RCU.
 */
public interface CloneDeactivation {
    /** The name the era table selects. */
    String policyName();

    /** Whether the shrink waits for a grace period and then a work item (4.18). */
    boolean afterGracePeriod();

    /** The deactivations the kernel has had. */
    enum Eras implements CloneDeactivation {
        /** Until 4.10 ({@code __kmem_cache_shrink(s, deactivate)}). */
        SYNC("clonedeact.Sync", false),
        /** 4.11 to 5.8 ({@code slab_deactivate_memcg_cache_rcu_sched}, commit 01fb58bcba63). */
        RCU_WORK_4_11("clonedeact.RcuWork411", true);

        private final String policyName;
        private final boolean afterGracePeriod;

        Eras(String policyName, boolean afterGracePeriod) {
            this.policyName = policyName;
            this.afterGracePeriod = afterGracePeriod;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public boolean afterGracePeriod() {
            return afterGracePeriod;
        }
    }
}
