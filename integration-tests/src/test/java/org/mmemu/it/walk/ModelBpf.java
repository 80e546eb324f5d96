package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mmemu.core.mm.PageTableGeometry;

/**
 * The walk's BPF maps beside the emulator: the live ones by id, the memlock pages they hold for
 * the walk's user (every task is root's), and what waits for a grace period: maps whose last
 * reference went ({@code __bpf_map_put} queues {@code bpf_map_free_deferred} after RCU) and
 * elements deleted or replaced ({@code htab_elem_free_rcu}). The emulator's RCU runs nothing by
 * itself, so those stay charged until a grace period ends: a {@link RcuBarrier}, or in 4.8 an
 * {@link Rmdir} whose offline waited for one.
 */
final class ModelBpf {
    final Map<String, ModelBpfMap> maps = new LinkedHashMap<>();
    /** {@code user->locked_vm}: the pages the maps charge to root's memlock (up to 5.10). */
    long lockedPages;
    private final List<Runnable> afterGracePeriod = new ArrayList<>();

    /** One more reference to {@code map}: a task's fd (after fork) or a mapping. */
    void hold(ModelBpfMap map) {
        map.holders++;
    }

    /** A reference to {@code map} gone; the last one frees it after a grace period. */
    void drop(Model m, ModelBpfMap map) {
        if (--map.holders == 0) {
            maps.remove(map.id);
            afterGracePeriod.add(() -> map.free(m));
        }
    }

    /** An element's {@code bytes} uncharged from {@code g} after a grace period. */
    void unchargeAfterGracePeriod(Model m, ModelCgroup g, long bytes) {
        afterGracePeriod.add(() -> m.uncharge(g, bytes));
    }

    /** The grace periods ended: what waited for them is freed. */
    void gracePeriodsEnded() {
        List<Runnable> due = List.copyOf(afterGracePeriod);
        afterGracePeriod.clear();
        due.forEach(Runnable::run);
    }

    /** Every live map's {@code bpf_mem_alloc} objects charged as they are now. */
    void syncCaches(Model m) {
        for (ModelBpfMap map : maps.values()) {
            map.syncCache(m);
        }
    }

    /**
     * {@code dup_mmap} and {@code dup_fd} for the BPF part of a fork: the child holds the
     * parent's map fds and mappings too, and its copies of the mappings' page tables
     * ({@code copy_page_range}: {@code remap_vmalloc_range} made them {@code VM_MIXEDMAP}) are
     * allocated in its context, charged to {@code owner} (null: not charged).
     */
    void fork(Model m, PageTableGeometry g, ModelTask parent, ModelTask child, ModelCgroup owner) {
        for (Map.Entry<ModelBpfMap, Integer> e : parent.maps.entrySet()) {
            hold(e.getKey());
            child.maps.put(e.getKey(), e.getValue());
        }
        for (ModelMapping mapping : parent.mappings) {
            hold(mapping.map());
            child.mappings.add(mapping);
        }
        child.pageTables.set(m, ModelPageTables.needed(g, child.mappings), owner);
    }

    /** {@code exit_mmap} and {@code exit_files}: the mappings and their tables go, then the fds. */
    void exit(Model m, ModelTask t) {
        t.pageTables.set(m, Set.of(), null);
        for (ModelMapping mapping : List.copyOf(t.mappings)) {
            drop(m, mapping.map());
        }
        t.mappings.clear();
        for (ModelBpfMap map : List.copyOf(t.maps.keySet())) {
            drop(m, map);
        }
        t.maps.clear();
    }
}
