package org.mmemu.it.walk;

/**
 * {@code munmap(2)} of a task's whole mapping of a BPF array: its PTEs zapped, the page tables
 * no other mapping lies in freed and uncharged ({@code free_pgtables}), the vma closed
 * ({@code bpf_map_mmap_close}) and its file put, which may be the map's last reference.
 */
record BpfMunmap(String task, String map) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        ModelTask t = World.pick(w.m.tasks.values().stream().filter(x -> !x.mappings.isEmpty()).toList(), rnd);
        return t == null ? null : new BpfMunmap(t.id, World.pick(t.mappings, rnd).map().id);
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        ModelMapping mapping = t == null ? null : t.mappings.stream().filter(x -> x.map().id.equals(map)).findFirst()
                .orElse(null);
        if (mapping == null) {
            return;
        }
        t.task.munmap(mapping.addr(), mapping.len());
        t.mappings.remove(mapping);
        t.pageTables.set(w.m, ModelPageTables.needed(w.geometry, t.mappings), null);
        w.m.bpf.drop(w.m, mapping.map());
    }
}
