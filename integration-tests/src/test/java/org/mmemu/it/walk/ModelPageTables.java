package org.mmemu.it.walk;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.mm.PageTableGeometry;

/**
 * The page tables below a task's pgd that its mappings of BPF arrays need, each with the cgroup
 * it was charged to (null: not charged). A mapping's pages are all inserted at mmap
 * ({@code remap_vmalloc_range}), so it needs every table covering its range, allocated in the
 * mapping task's context ({@code __pte_alloc} and the levels above); {@code munmap} frees the
 * tables no other mapping still lies in ({@code free_pgtables} between the neighbours' ends);
 * {@code exit_mmap} frees them all.
 */
final class ModelPageTables {
    /** A table: its level in the low bits, the index of the span it maps above them. */
    private final Map<Long, ModelCgroup> tables = new LinkedHashMap<>();

    /** The tables {@code mappings} need. */
    static Set<Long> needed(PageTableGeometry g, Collection<ModelMapping> mappings) {
        Set<Long> keys = new LinkedHashSet<>();
        for (ModelMapping mapping : mappings) {
            for (int level = 0; level < g.top(); level++) {
                long span = g.tableSpan(level);
                for (long i = mapping.addr() / span; i <= (mapping.addr() + mapping.len() - 1) / span; i++) {
                    keys.add(i << 3 | level);
                }
            }
        }
        return keys;
    }

    int size() {
        return tables.size();
    }

    /** How many of {@code keys} are not allocated yet. */
    int missing(Set<Long> keys) {
        int n = 0;
        for (long key : keys) {
            n += tables.containsKey(key) ? 0 : 1;
        }
        return n;
    }

    /**
     * The tables made exactly {@code keys}: the missing ones allocated and charged to
     * {@code owner} (null: not charged), the others freed and uncharged from whom they were
     * charged to.
     */
    void set(Model m, Set<Long> keys, ModelCgroup owner) {
        for (var it = tables.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!keys.contains(e.getKey())) {
                m.heldPages--;
                m.uncharge(e.getValue(), Model.PAGE);
                it.remove();
            }
        }
        for (long key : keys) {
            if (!tables.containsKey(key)) {
                m.heldPages++;
                m.charge(owner, Model.PAGE);
                tables.put(key, owner);
            }
        }
    }
}
