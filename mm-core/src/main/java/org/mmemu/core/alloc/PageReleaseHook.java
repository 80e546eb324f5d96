package org.mmemu.core.alloc;

import org.mmemu.core.page.Page;

/**
 * Called when the last reference to a page is dropped through {@code put_page} or
 * {@code release_pages}, before the page is freed: the {@code __page_cache_release} /
 * {@code mem_cgroup_uncharge} step. {@code __free_pages} does not run it, which is what made
 * the two free paths differ before 4.8. Runs only while {@link PageHooks#releaseKey()} is on.
 */
@FunctionalInterface
public interface PageReleaseHook {
    /** @param page the page (head, for compound pages) whose refcount reached zero */
    void release(Page page);
}
