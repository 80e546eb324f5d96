package org.mmemu.core.cred;

import org.mmemu.core.Refcount;

/**
 * {@code struct cred} (include/linux/cred.h): a task's uid, the {@link UserStruct} its charges
 * go to, and its effective capabilities. Immutable once committed, shared by reference
 * ({@code get_cred} / {@code put_cred}); the last put frees its reference on the user. A task
 * changes credentials by committing new ones ({@link Creds#setuid}).
 */
public final class Cred {
    private final int uid;
    private final UserStruct user;
    private final long capEffective;
    private final UserStructs users;
    private final Refcount usage = new Refcount(this);

    /** New credentials holding the caller's reference on {@code user}. */
    Cred(int uid, UserStruct user, long capEffective, UserStructs users) {
        this.uid = uid;
        this.user = user;
        this.capEffective = capEffective;
        this.users = users;
    }

    /**
     * {@code init_cred}: uid 0, {@code root_user}, every capability; what every task inherits
     * from init unless it changes its credentials.
     */
    public static Cred initCred(UserStructs users) {
        return new Cred(0, users.allocUid(0), Capability.CAP_FULL_SET, users);
    }

    /** {@code cred->uid} (real, effective and saved alike in the emulator). */
    public int uid() {
        return uid;
    }

    /** {@code cred->user}. */
    public UserStruct user() {
        return user;
    }

    /** {@code cred->cap_effective}. */
    public long capEffective() {
        return capEffective;
    }

    /** {@code cap_raised(cred->cap_effective, cap)}. */
    public boolean hasCapability(int cap) {
        return (capEffective & Capability.mask(cap)) != 0;
    }

    /** {@code atomic_read(&cred->usage)}. */
    public int usage() {
        return usage.read();
    }

    /** {@code get_cred}. */
    public Cred get() {
        usage.get();
        return this;
    }

    /** {@code put_cred}: the last put releases the user ({@code __put_cred} → {@code free_uid}). */
    public void put() {
        if (usage.put()) {
            users.freeUid(user);
        }
    }

    @Override
    public String toString() {
        return "cred(uid " + uid + ", caps 0x" + Long.toHexString(capEffective) + ")";
    }
}
