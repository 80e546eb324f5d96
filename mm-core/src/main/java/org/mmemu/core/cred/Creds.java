package org.mmemu.core.cred;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * Capability checks and credential changes (kernel/capability.c, kernel/cred.c, kernel/sys.c).
 * Root (uid 0) starts with every capability; {@link #setuid} to another uid drops them all, as
 * {@code cap_emulate_setxuid} does, which is how a test makes an unprivileged task.
 */
public final class Creds {
    private final Tasks tasks;
    private final UserStructs users;

    @Inject
    public Creds(Tasks tasks, UserStructs users) {
        this.tasks = tasks;
        this.users = users;
    }

    /** {@code capable(cap)}: whether {@code current} has {@code cap} (a {@link Capability}). */
    public boolean capable(int cap) {
        return hasCapability(tasks.current(), cap);
    }

    /** {@code has_capability(task, cap)}. */
    public boolean hasCapability(TaskStruct task, int cap) {
        return task.cred().hasCapability(cap);
    }

    /**
     * {@code setuid(uid)} by {@code task}: without {@code CAP_SETUID} only to its own uid. The
     * new credentials charge {@code uid}'s {@link UserStruct}; leaving uid 0 clears the
     * capabilities, coming back to it (with {@code CAP_SETUID}) restores the full set.
     *
     * @return 0; {@code -EINVAL} for a negative uid ({@code uid_valid}); {@code -EPERM}
     */
    public int setuid(TaskStruct task, int uid) {
        if (uid < 0) {
            return Errno.EINVAL.negative();
        }
        Cred old = task.cred();
        if (uid != old.uid() && !old.hasCapability(Capability.CAP_SETUID)) {
            return Errno.EPERM.negative();
        }
        long caps = uid == 0 ? Capability.CAP_FULL_SET : Capability.CAP_EMPTY_SET;
        task.commitCreds(new Cred(uid, users.allocUid(uid), caps, users));
        return 0;
    }
}
