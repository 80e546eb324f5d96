package org.mmemu.memcg;

import java.util.Objects;

/**
 * The memcg knobs that are numbers or switches rather than policies: the charge batch, whether
 * kernel memory is accounted at all ({@code cgroup.memory=nokmem}), how a failed charge ends
 * ({@link ChargeSemantics}) and whether the cgroup-v1 {@code kmem} counter is kept; plus one
 * emulator-only switch, {@link #pageStock()}, for measuring the per-CPU stock. Immutable;
 * {@code with*} methods return copies. {@link #LATEST} is the default binding.
 *
 * <pre>
 *  era      batch  charge path        kmem uncharge
 *  4.7/4.8  32     V4_8 (no OOM kill)  counters directly
 *  5.10     32     V5_10              counters directly
 *  5.11     32     V5_10              through the freeing CPU's stock
 *  latest   64     LATEST             through the freeing CPU's stock
 * </pre>
 */
public final class MemcgConfig {
    /** The latest kernel: batch 64, OOM kill in the charge path, stock-based kmem uncharge. */
    public static final MemcgConfig LATEST =
            new MemcgConfig(64, true, ChargeSemantics.LATEST, true, false, true);

    private final int chargeBatch;
    private final boolean kmemAccounting;
    private final ChargeSemantics chargeSemantics;
    private final boolean kmemUnchargeViaStock;
    private final boolean v1KmemCounter;
    private final boolean pageStock;

    private MemcgConfig(int chargeBatch, boolean kmemAccounting, ChargeSemantics chargeSemantics,
                        boolean kmemUnchargeViaStock, boolean v1KmemCounter, boolean pageStock) {
        if (chargeBatch < 1) {
            throw new IllegalArgumentException("MEMCG_CHARGE_BATCH must be positive: " + chargeBatch);
        }
        this.chargeBatch = chargeBatch;
        this.kmemAccounting = kmemAccounting;
        this.chargeSemantics = Objects.requireNonNull(chargeSemantics, "chargeSemantics is null");
        this.kmemUnchargeViaStock = kmemUnchargeViaStock;
        this.v1KmemCounter = v1KmemCounter;
        this.pageStock = pageStock;
    }

    /** {@code MEMCG_CHARGE_BATCH}: pages charged at once and cached per CPU (32, 64 in 6.x). */
    public int chargeBatch() {
        return chargeBatch;
    }

    /** False for {@code cgroup.memory=nokmem}: kmem accounting never comes online. */
    public boolean kmemAccounting() {
        return kmemAccounting;
    }

    /** How {@code try_charge} ends when the limit cannot be met. */
    public ChargeSemantics chargeSemantics() {
        return chargeSemantics;
    }

    /** Whether kmem uncharges go back into the freeing CPU's stock (5.11+) or to the counters. */
    public boolean kmemUnchargeViaStock() {
        return kmemUnchargeViaStock;
    }

    /** Whether the cgroup-v1 {@code memcg->kmem} counter is charged alongside memory. */
    public boolean v1KmemCounter() {
        return v1KmemCounter;
    }

    /**
     * Whether charges go through the per-CPU page stock ({@code consume_stock}/{@code refill_stock}).
     * Not a kernel knob (every kernel has the stock): false makes every page charge and uncharge
     * go to the page counters, as if each CPU's stock were always empty, so a benchmark can show
     * what the stock buys. The obj_cgroup byte stock is not affected.
     */
    public boolean pageStock() {
        return pageStock;
    }

    public MemcgConfig withChargeBatch(int batch) {
        return new MemcgConfig(batch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock);
    }

    /** {@code cgroup.memory=nokmem} when false. */
    public MemcgConfig withKmemAccounting(boolean on) {
        return new MemcgConfig(chargeBatch, on, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock);
    }

    public MemcgConfig withChargeSemantics(ChargeSemantics semantics) {
        return new MemcgConfig(chargeBatch, kmemAccounting, semantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock);
    }

    public MemcgConfig withKmemUnchargeViaStock(boolean viaStock) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                viaStock, v1KmemCounter, pageStock);
    }

    public MemcgConfig withV1KmemCounter(boolean on) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, on, pageStock);
    }

    /** {@link #pageStock()}: false bypasses the per-CPU page stock (emulator-only). */
    public MemcgConfig withPageStock(boolean on) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, on);
    }

    @Override
    public String toString() {
        return "memcg(batch=" + chargeBatch + ", kmem=" + (kmemAccounting ? "on" : "nokmem")
                + ", charge=" + chargeSemantics + ", kmemUncharge="
                + (kmemUnchargeViaStock ? "stock" : "counters") + (v1KmemCounter ? ", v1 kmem" : "")
                + (pageStock ? "" : ", no page stock") + ")";
    }
}
