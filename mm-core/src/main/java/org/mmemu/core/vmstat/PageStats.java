package org.mmemu.core.vmstat;

import com.google.inject.Inject;
import java.util.Set;
import org.mmemu.core.page.Page;

/**
 * Statistics kept per node and per owner of the page ({@code mod_lruvec_page_state},
 * {@code mod_memcg_page_state}): the node counter in {@link VmStat}, and the same change handed
 * to every {@link PageStatHook}, which find the owner through the page's own words. With no
 * hook bound (no memcg) this is {@link VmStat#mod} and an empty loop; it allocates nothing.
 */
public final class PageStats {
    private final VmStat vmStat;
    private final PageStatHook[] hooks;

    @Inject
    public PageStats(VmStat vmStat, Set<PageStatHook> hooks) {
        this.vmStat = vmStat;
        this.hooks = hooks.toArray(new PageStatHook[0]);
    }

    /** {@code mod_lruvec_page_state}: the node counter and the page owner's. */
    public void modLruvecPageState(Page page, VmStatItem item, int delta) {
        vmStat.mod(item, delta);
        modMemcgPageState(page, item, delta);
    }

    /**
     * {@code mod_memcg_page_state}: only the page owner's counter, for statistics whose node
     * counter the caller keeps apart (vmalloc counts its pages per area).
     */
    public void modMemcgPageState(Page page, VmStatItem item, int delta) {
        for (PageStatHook h : hooks) {
            h.modPageState(page, item, delta);
        }
    }
}
