package org.mmemu.core.archfixture;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.page.Page;

/** Deliberate violations for MmemuRulesTest: per-page state kept beside the page. */
public final class PageSideTables {
    /** A side table keyed by page. */
    final Map<Page, Long> ownerOf = new HashMap<>();
    /** A set of pages: a per-page flag kept outside the page. */
    final Set<Page> marked = new HashSet<>();
}
