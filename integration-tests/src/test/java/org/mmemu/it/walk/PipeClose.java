package org.mmemu.it.walk;

/** {@code close(2)} of both ends of a pipe: the last holder's close frees it and uncharges its owners. */
record PipeClose(String task, String pipe) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        ModelTask t = w.anyPipeHolder(rnd);
        return t == null ? null : new PipeClose(t.id, World.pick(t.pipes.keySet().stream().toList(), rnd).id);
    });

    @Override
    public void apply(World w) {
        ModelTask t = w.m.tasks.get(task);
        ModelPipe p = w.m.pipes.get(pipe);
        if (t == null || p == null || !t.pipes.containsKey(p)) {
            return;
        }
        int[] fds = t.pipes.get(p);
        t.task.close(fds[0]);
        t.task.close(fds[1]);
        w.m.drop(t, p);
    }
}
