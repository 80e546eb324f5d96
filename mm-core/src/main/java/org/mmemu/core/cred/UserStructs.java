package org.mmemu.core.cred;

import java.util.HashMap;
import java.util.Map;

/**
 * The per-uid {@link UserStruct}s of kernel/user.c ({@code uidhash_table}): {@link #allocUid}
 * finds or creates the user of a uid and takes a reference, {@link #freeUid} drops one and the
 * last unhashes it, so a uid whose tasks all exited starts again from zero counters. root's
 * user ({@code root_user}) is never freed.
 */
public final class UserStructs {
    private final Map<Integer, UserStruct> byUid = new HashMap<>();
    private final UserStruct root;

    public UserStructs() {
        root = new UserStruct(0);
        byUid.put(0, root);
    }

    /** {@code root_user}, with the static reference that keeps it. */
    public UserStruct rootUser() {
        return root;
    }

    /** {@code alloc_uid}: the user of {@code uid}, with a reference for the caller. */
    public synchronized UserStruct allocUid(int uid) {
        UserStruct u = byUid.get(uid);
        if (u != null) {
            return u.get();
        }
        u = new UserStruct(uid);
        byUid.put(uid, u);
        return u;
    }

    /** {@code free_uid}: drops a reference; the last one unhashes the user. */
    public synchronized void freeUid(UserStruct user) {
        if (user.put()) {
            byUid.remove(user.uid(), user);
        }
    }

    /** {@code find_user}: the live user of {@code uid} (no reference taken), or null. */
    public synchronized UserStruct findUser(int uid) {
        return byUid.get(uid);
    }
}
