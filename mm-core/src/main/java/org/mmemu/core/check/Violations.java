package org.mmemu.core.check;

import java.util.ArrayList;
import java.util.List;

/** A check's violation list that keeps the first few and counts the rest. */
final class Violations {
    private final int limit;
    private final List<String> shown = new ArrayList<>();
    private int more;

    Violations(int limit) {
        this.limit = limit;
    }

    void add(String violation) {
        if (shown.size() < limit) {
            shown.add(violation);
        } else {
            more++;
        }
    }

    /** The violations kept, followed by a count of the others if some were dropped. */
    List<String> list() {
        List<String> all = new ArrayList<>(shown);
        if (more > 0) {
            all.add("... and " + more + " more");
        }
        return all;
    }
}
