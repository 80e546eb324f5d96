package org.mmemu.core.cred;

/**
 * The capability numbers of {@code include/uapi/linux/capability.h} that the emulated paths
 * check, and the full set a root task has.
 */
public final class Capability {
    /** {@code CAP_SETUID}: set any uid. */
    public static final int CAP_SETUID = 7;
    /** {@code CAP_IPC_LOCK}: lock memory beyond {@code RLIMIT_MEMLOCK}. */
    public static final int CAP_IPC_LOCK = 14;
    /** {@code CAP_SYS_ADMIN}. */
    public static final int CAP_SYS_ADMIN = 21;
    /** {@code CAP_SYS_RESOURCE}: override resource limits (pipe-user-pages, rlimits). */
    public static final int CAP_SYS_RESOURCE = 24;
    /** {@code CAP_LAST_CAP} of the latest kernels ({@code CAP_CHECKPOINT_RESTORE}). */
    public static final int CAP_LAST_CAP = 40;
    /** {@code CAP_FULL_SET}: every capability, what init's credentials carry. */
    public static final long CAP_FULL_SET = (1L << (CAP_LAST_CAP + 1)) - 1;
    /** {@code CAP_EMPTY_SET}. */
    public static final long CAP_EMPTY_SET = 0;

    private Capability() {
    }

    /** {@code CAP_TO_MASK}: the bit of {@code cap} in a capability set. */
    public static long mask(int cap) {
        if (cap < 0 || cap > CAP_LAST_CAP) {
            throw new IllegalArgumentException("no capability " + cap);
        }
        return 1L << cap;
    }
}
