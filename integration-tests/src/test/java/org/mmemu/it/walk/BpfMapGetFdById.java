package org.mmemu.it.walk;

import org.mmemu.core.Errno;

/**
 * {@code bpf(BPF_MAP_GET_FD_BY_ID)} (kernel/bpf/syscall.c {@code bpf_map_get_fd_by_id}, 4.13 on):
 * a task of another cgroup than the map's creator where there is one (the foreign case), else
 * any, opens a map by the id its holder read ({@code BPF_OBJ_GET_INFO_BY_FD}); the new file holds
 * the map too. Where no task lives outside the creator's cgroup but another cgroup may take one,
 * a task is spawned there first ({@code spawn}: a {@link Spawn}). Before 4.13 maps have no ids
 * and the id query is {@code EINVAL}.
 */
record BpfMapGetFdById(String holder, String map, String task, String spawn) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        World.HeldMap h = w.anyHeldMap(rnd);
        if (h == null) {
            return null;
        }
        ModelBpfMap map = h.map();
        ModelTask t = World.pick(w.m.tasks.values().stream().filter(x -> x.cgroup != map.creator).toList(), rnd);
        if (t == null) {
            ModelCgroup g = World.pick(w.m.liveCgroups().stream().filter(x -> x != map.creator && !x.subtreeMemory)
                    .toList(), rnd);
            if (g != null) {
                return new BpfMapGetFdById(h.task().id, map.id, w.newId("t"), g.path);
            }
            t = h.task();
        }
        return t.maps.containsKey(map) || t.maps.size() >= 3 ? null : new BpfMapGetFdById(h.task().id, map.id, t.id, null);
    });

    @Override
    public void apply(World w) {
        if (spawn != null) {
            new Spawn(task, spawn).apply(w);
            // Its pgd's charge may have met a memory.max whose OOM killer took it.
            w.reapKilled();
        }
        World.HeldMap held = w.heldMap(holder, map);
        ModelTask t = w.m.tasks.get(task);
        if (held == null || t == null || t.maps.containsKey(held.map())) {
            return;
        }
        if (!w.m.rules.bpfMapIds()) {
            World.expectErrno(Errno.EINVAL, toString(), () -> held.task().task.bpfMapId(held.fd()));
            return;
        }
        int fd = t.task.bpfMapGetFdById(held.task().task.bpfMapId(held.fd()));
        t.maps.put(held.map(), fd);
        w.m.bpf.hold(held.map());
    }
}
