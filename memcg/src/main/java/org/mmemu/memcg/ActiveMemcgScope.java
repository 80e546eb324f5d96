package org.mmemu.memcg;

/**
 * A remote-charging scope opened by {@link CurrentMemcg#setActiveMemcg}: closing it restores the
 * active memcg that was set before, as the kernel's callers do with the value
 * {@code set_active_memcg} returned.
 */
@FunctionalInterface
public interface ActiveMemcgScope extends AutoCloseable {
    @Override
    void close();
}
