package org.mmemu.core.archfixture;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmemu.core.page.Page;

/** What MmemuRulesTest must let pass: pages gathered in order (mmu_gather), pages as values. */
public final class PageCollections {
    /** Pages queued for one operation, as the kernel's arrays of page pointers. */
    final List<Page> batch = new ArrayList<>();
    /** A map whose values are pages, keyed by address. */
    final Map<Long, Page> byAddress = new TreeMap<>();
}
