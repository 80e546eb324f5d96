package org.mmemu.it.walk;

/** {@code exit(2)}: the pgd freed (uncharged where it was charged), the pipes let go, the cgroup left. */
record Exit(String id) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        ModelTask t = w.anyTask(rnd);
        return t == null ? null : new Exit(t.id);
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(id);
        if (t != null) {
            t.task.exit();
            w.m.exit(t);
        }
    }
}
