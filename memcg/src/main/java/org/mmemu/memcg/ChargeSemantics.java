package org.mmemu.memcg;

/**
 * How {@code try_charge} behaves once the limit cannot be met (mm/memcontrol.c of each era). The
 * emulator does no reclaim, so every reclaim attempt frees nothing and only the stock drain can
 * make room; the retry loop still runs so {@code memory.events max} counts as the kernel's does.
 */
public enum ChargeSemantics {
    /**
     * 4.8: 5 retries; dying tasks and {@code __GFP_NOFAIL} force the charge; otherwise an
     * {@code oom} event and {@code -ENOMEM}: the memcg OOM killer only runs at the end of a
     * user page fault, which kernel-memory charges never are.
     */
    V4_8(5),
    /**
     * 4.19 to 5.10 (and 5.11): 16 retries, {@code __GFP_ATOMIC} and dying tasks force; the memcg
     * OOM killer runs in the charge path; when it finds no victim the charge is forced.
     */
    V5_10(16),
    /**
     * 6.x: 16 retries; the OOM killer runs in the charge path and the charge is retried after a
     * kill; with no victim, or once the charging task itself is dying, the charge fails with
     * {@code -ENOMEM} unless {@code __GFP_NOFAIL}/{@code __GFP_HIGH}.
     */
    LATEST(16);

    private final int reclaimRetries;

    ChargeSemantics(int reclaimRetries) {
        this.reclaimRetries = reclaimRetries;
    }

    /** {@code MEM_CGROUP_RECLAIM_RETRIES} / {@code MAX_RECLAIM_RETRIES}. */
    public int reclaimRetries() {
        return reclaimRetries;
    }
}
