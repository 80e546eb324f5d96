package org.mmemu.it.walk;

/** {@code drain_all_stock}: the per-CPU stocks given back, so the next check is exact. */
record Drain() implements Action {
    static final ActionKind KIND = ActionKind.of(2, (w, rnd) -> new Drain());

    @Override
    public void apply(World w) {
        w.k.drainAllStock();
        w.drained = true;
    }
}
