package org.mmemu.it.walk;

/** {@code close(2)} of both ends of a pipe: the last holder's close frees it and uncharges its owners. */
record PipeClose(String task, String pipe) implements Action {
    static final ActionKind KIND = ActionKind.of(3, (w, rnd) -> {
        World.HeldPipe h = w.anyHeldPipe(rnd);
        return h == null ? null : new PipeClose(h.task().id, h.pipe().id);
    });

    @Override
    public void apply(World w) {
        World.HeldPipe held = w.heldPipe(task, pipe);
        if (held != null) {
            held.task().task.close(held.fds()[0]);
            held.task().task.close(held.fds()[1]);
            w.m.drop(held.task(), held.pipe());
        }
    }
}
