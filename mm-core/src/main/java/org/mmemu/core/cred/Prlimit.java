package org.mmemu.core.cred;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * {@code do_prlimit} (kernel/sys.c): reading and setting a task's {@link Rlimits}, with the
 * kernel's checks.
 */
public final class Prlimit {
    /** {@code sysctl_nr_open}'s default ({@code NR_OPEN}): the hard ceiling of {@code RLIMIT_NOFILE}. */
    public static final long NR_OPEN = 1024 * 1024;

    private final Creds creds;
    private final Tasks tasks;

    @Inject
    public Prlimit(Creds creds, Tasks tasks) {
        this.creds = creds;
        this.tasks = tasks;
    }

    /**
     * {@code setrlimit}/{@code prlimit64} of {@code resource} for {@code task}, as {@code current}.
     *
     * @return 0; {@code -EINVAL} for an unknown resource or a soft limit above the hard one;
     *     {@code -EPERM} for another user's task without {@code CAP_SYS_RESOURCE}
     *     ({@code check_prlimit_permission}), a hard limit raised without it, or an
     *     {@code RLIMIT_NOFILE} above {@link #NR_OPEN}
     */
    public int setrlimit(TaskStruct task, int resource, long soft, long hard) {
        if (resource < 0 || resource >= Rlimits.RLIM_NLIMITS || Long.compareUnsigned(soft, hard) > 0) {
            return Errno.EINVAL.negative();
        }
        TaskStruct current = tasks.current();
        if (current != task && current.cred().uid() != task.cred().uid()
                && !creds.capable(Capability.CAP_SYS_RESOURCE)) {
            return Errno.EPERM.negative();
        }
        if (resource == Rlimits.RLIMIT_NOFILE && Long.compareUnsigned(hard, NR_OPEN) > 0) {
            return Errno.EPERM.negative();
        }
        Rlimits r = task.rlimits();
        synchronized (r) {
            if (Long.compareUnsigned(hard, r.max(resource)) > 0
                    && !creds.capable(Capability.CAP_SYS_RESOURCE)) {
                return Errno.EPERM.negative();
            }
            r.set(resource, soft, hard);
        }
        return 0;
    }
}
