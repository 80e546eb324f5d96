package org.mmemu.memcg.kmem;

import com.google.inject.Inject;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.memcg.MemcgConfig;

/**
 * {@code memcg_kmem_enabled_key} / {@code memcg_kmem_online_key}: switched on when the first
 * non-root cgroup brings kmem accounting online ({@code memcg_online_kmem}), and never with
 * {@code cgroup.memory=nokmem}. Until then mm-core's alloc, free and release hook keys stay
 * off, so the page allocator's fast path does no accounting work at all. Like the kernel's
 * {@code static_branch_enable} (5.10+), it is never switched off again.
 */
public final class KmemStaticKey {
    private final PageHooks hooks;
    private final boolean allowed;
    private volatile boolean enabled;

    @Inject
    KmemStaticKey(PageHooks hooks, MemcgConfig config) {
        this.hooks = hooks;
        this.allowed = config.kmemAccounting();
    }

    /** {@code memcg_online_kmem} of a non-root cgroup: enables the key on first use. */
    public synchronized void memcgOnline() {
        if (!allowed || enabled) {
            return;
        }
        enabled = true;
        hooks.allocKey().inc();
        hooks.freeKey().inc();
        hooks.releaseKey().inc();
    }

    /** {@code memcg_kmem_enabled()}. */
    public boolean isEnabled() {
        return enabled;
    }
}
