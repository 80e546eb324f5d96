package org.mmemu.core.cred;

import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.Refcount;

/**
 * {@code struct user_struct} (include/linux/sched/user.h): what is charged to a user across all
 * of its tasks. {@code locked_vm} holds the pages BPF maps charge against {@code RLIMIT_MEMLOCK}
 * up to 5.10; {@code pipe_bufs} the pipe buffer pages checked against
 * {@code pipe-user-pages-soft} / {@code -hard}. {@link UserStructs} hands them out, one per uid,
 * refcounted ({@code alloc_uid} / {@code free_uid}).
 */
public final class UserStruct {
    private final int uid;
    private final Refcount count = new Refcount(this);
    private final AtomicLong lockedVm = new AtomicLong();
    private final AtomicLong pipeBufs = new AtomicLong();

    UserStruct(int uid) {
        this.uid = uid;
    }

    /** {@code user->uid}. */
    public int uid() {
        return uid;
    }

    /** {@code user->__count}: the credentials (and lookups) holding this user. */
    public int count() {
        return count.read();
    }

    /** {@code get_uid}: a reference for another holder; the user must be live. */
    UserStruct get() {
        count.get();
        return this;
    }

    /** Drops a reference; true when it was the last. */
    boolean put() {
        return count.put();
    }

    /** {@code atomic_long_read(&user->locked_vm)}: pages. */
    public long lockedVm() {
        return lockedVm.get();
    }

    /**
     * Charges {@code pages} to {@code locked_vm} unless the total would exceed {@code limitPages}
     * ({@code RLIMIT_MEMLOCK >> PAGE_SHIFT}), as {@code bpf_charge_memlock} does: add, and take
     * it back if over.
     *
     * @return whether the pages were charged (the caller fails with {@code -EPERM} otherwise)
     */
    public boolean chargeLockedVm(long pages, long limitPages) {
        if (lockedVm.addAndGet(pages) > limitPages) {
            lockedVm.addAndGet(-pages);
            return false;
        }
        return true;
    }

    /** {@code bpf_uncharge_memlock}: gives {@code pages} back to {@code locked_vm}. */
    public void unchargeLockedVm(long pages) {
        lockedVm.addAndGet(-pages);
    }

    /** {@code atomic_long_read(&user->pipe_bufs)}: pages. */
    public long pipeBufs() {
        return pipeBufs.get();
    }

    /**
     * {@code account_pipe_buffers}: moves a pipe from {@code oldPages} to {@code newPages}
     * buffers.
     *
     * @return the user's pipe buffer pages afterwards
     */
    public long accountPipeBuffers(long oldPages, long newPages) {
        return pipeBufs.addAndGet(newPages - oldPages);
    }

    @Override
    public String toString() {
        return "user_struct(uid " + uid + ")";
    }
}
