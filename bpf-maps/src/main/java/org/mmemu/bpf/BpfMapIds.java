package org.mmemu.bpf;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code map_idr} (kernel/bpf/syscall.c: {@code bpf_map_alloc_id}, {@code bpf_map_free_id},
 * the lookup of {@code bpf_map_get_fd_by_id}): ids handed out cyclically from 1, a map found by
 * its id only while it still has a reference ({@code __bpf_map_inc_not_zero}).
 */
final class BpfMapIds {
    private final Map<Integer, BpfMap> idr = new HashMap<>();
    private int next = 1;

    /** {@code idr_alloc_cyclic(&map_idr, map, 1, INT_MAX)}: publishes the map under a fresh id. */
    synchronized void alloc(BpfMap map) {
        while (idr.containsKey(next)) {
            next = next == Integer.MAX_VALUE - 1 ? 1 : next + 1;
        }
        map.id = next;
        idr.put(next, map);
        next = next == Integer.MAX_VALUE - 1 ? 1 : next + 1;
    }

    /** {@code bpf_map_free_id}: the id is gone, before the map is freed. */
    synchronized void free(BpfMap map) {
        if (map.id != 0) {
            idr.remove(map.id);
            map.id = 0;
        }
    }

    /** {@code idr_find} and {@code bpf_map_inc_not_zero}: the map with a new reference, or null. */
    synchronized BpfMap getById(int id) {
        BpfMap map = idr.get(id);
        if (map == null) {
            return null;
        }
        long refs = map.refcnt.get();
        while (refs > 0 && !map.refcnt.compareAndSet(refs, refs + 1)) {
            refs = map.refcnt.get();
        }
        return refs > 0 ? map : null;
    }

    /** The maps still published, for the leak check. */
    synchronized int size() {
        return idr.size();
    }
}
