package org.mmemu.memcg;

import java.util.Objects;

/**
 * The memcg knobs that are numbers or switches rather than policies: the charge batch, whether
 * kernel memory is accounted at all ({@code cgroup.memory=nokmem}), how a failed charge ends
 * ({@link ChargeSemantics}), whether the cgroup-v1 {@code kmem} counter is kept and what pins a
 * stock's memcg ({@link #stockPinsMemcg()}); plus one emulator-only switch,
 * {@link #pageStock()}, for measuring the per-CPU stock. Immutable; {@code with*} methods
 * return copies. {@link #LATEST} is the default binding.
 *
 * <pre>
 *  era       batch  charge path         kmem uncharge                    stock's css ref
 *  to 4.18   32     V4_8 (no OOM kill)  counters directly                none (its pages')
 *  5.9/5.10  32     V5_10               counters directly                one
 *  5.11      32     V5_10               through the freeing CPU's stock  one
 *  latest    64     LATEST              through the freeing CPU's stock  one
 * </pre>
 */
public final class MemcgConfig {
    /** The latest kernel: batch 64, OOM kill in the charge path, stock-based kmem uncharge. */
    public static final MemcgConfig LATEST =
            new MemcgConfig(64, true, ChargeSemantics.LATEST, true, false, true, true);

    private final int chargeBatch;
    private final boolean kmemAccounting;
    private final ChargeSemantics chargeSemantics;
    private final boolean kmemUnchargeViaStock;
    private final boolean v1KmemCounter;
    private final boolean pageStock;
    private final boolean stockPinsMemcg;

    @SuppressWarnings("checkstyle:ParameterNumber")
    private MemcgConfig(int chargeBatch, boolean kmemAccounting, ChargeSemantics chargeSemantics,
                        boolean kmemUnchargeViaStock, boolean v1KmemCounter, boolean pageStock,
                        boolean stockPinsMemcg) {
        if (chargeBatch < 1) {
            throw new IllegalArgumentException("MEMCG_CHARGE_BATCH must be positive: " + chargeBatch);
        }
        this.chargeBatch = chargeBatch;
        this.kmemAccounting = kmemAccounting;
        this.chargeSemantics = Objects.requireNonNull(chargeSemantics, "chargeSemantics is null");
        this.kmemUnchargeViaStock = kmemUnchargeViaStock;
        this.v1KmemCounter = v1KmemCounter;
        this.pageStock = pageStock;
        this.stockPinsMemcg = stockPinsMemcg;
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

    /**
     * Whether kmem uncharges go back into the freeing CPU's stock (5.11+, 3de7d4f25a74) or to the
     * counters. 5.10's stable series took that commit too (queued as f802f3181a65 in January
     * 2021); the {@code V5_10} preset is 5.10 before it, so a 5.10.y from then on is the preset
     * with this set.
     */
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

    /**
     * Whether a CPU's page stock pins its cached memcg with a css reference of its own, taken
     * when it starts caching the memcg and dropped when it drains ({@code refill_stock} /
     * {@code drain_stock} from 5.8, commit 1a3e1f40962c; 5.10.7). Before (4.8.15, 4.18) css
     * references follow charged pages ({@code try_charge}'s {@code css_get_many}): the stocked
     * pages hold theirs, so a stock emptied by {@code consume_stock} still names its memcg but
     * pins nothing, and {@code drain_all_stock}, which skips empty stocks, need not reach it.
     */
    public boolean stockPinsMemcg() {
        return stockPinsMemcg;
    }

    public MemcgConfig withChargeBatch(int batch) {
        return new MemcgConfig(batch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock, stockPinsMemcg);
    }

    /** {@code cgroup.memory=nokmem} when false. */
    public MemcgConfig withKmemAccounting(boolean on) {
        return new MemcgConfig(chargeBatch, on, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock, stockPinsMemcg);
    }

    public MemcgConfig withChargeSemantics(ChargeSemantics semantics) {
        return new MemcgConfig(chargeBatch, kmemAccounting, semantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock, stockPinsMemcg);
    }

    public MemcgConfig withKmemUnchargeViaStock(boolean viaStock) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                viaStock, v1KmemCounter, pageStock, stockPinsMemcg);
    }

    public MemcgConfig withV1KmemCounter(boolean on) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, on, pageStock, stockPinsMemcg);
    }

    /** {@link #pageStock()}: false bypasses the per-CPU page stock (emulator-only). */
    public MemcgConfig withPageStock(boolean on) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, on, stockPinsMemcg);
    }

    /** {@link #stockPinsMemcg()}: false for the eras before 5.8. */
    public MemcgConfig withStockPinsMemcg(boolean pins) {
        return new MemcgConfig(chargeBatch, kmemAccounting, chargeSemantics,
                kmemUnchargeViaStock, v1KmemCounter, pageStock, pins);
    }

    @Override
    public String toString() {
        return "memcg(batch=" + chargeBatch + ", kmem=" + (kmemAccounting ? "on" : "nokmem")
                + ", charge=" + chargeSemantics + ", kmemUncharge="
                + (kmemUnchargeViaStock ? "stock" : "counters") + (v1KmemCounter ? ", v1 kmem" : "")
                + (pageStock ? "" : ", no page stock") + (stockPinsMemcg ? "" : ", stock refs by page") + ")";
    }
}
