package org.mmemu.core.vmstat;

import org.mmemu.core.page.Page;

/**
 * Told of every change of a per-page statistic together with the page it concerns: the half of
 * {@code mod_lruvec_page_state} / {@code mod_memcg_page_state} that counts the change for
 * whoever owns the page (the memcg module: the page's memory cgroup). mm-core keeps the node
 * counter itself ({@link VmStat}); a hook keeps its own copy. Register one with
 * {@link org.mmemu.core.alloc.PageHooks#statHooks}.
 */
@FunctionalInterface
public interface PageStatHook {
    /**
     * {@code item} moved by {@code delta} for {@code page}.
     *
     * @param page the page as the caller has it (a hook that needs the compound head finds it)
     */
    void modPageState(Page page, VmStatItem item, int delta);
}
