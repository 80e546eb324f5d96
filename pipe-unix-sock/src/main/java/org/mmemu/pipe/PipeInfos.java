package org.mmemu.pipe;

import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.cred.Capability;
import org.mmemu.core.cred.Creds;
import org.mmemu.core.cred.UserStruct;
import org.mmemu.core.cred.UserStructs;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.Tasks;
import org.mmemu.slab.Kmalloc;

/**
 * The life of a {@link PipeInodeInfo} (fs/pipe.c {@code alloc_pipe_info}, {@code free_pipe_info},
 * {@code pipe_set_size}, {@code pipe_resize_ring}): the object and its ring are kmalloc'd with
 * the era's size and gfp ({@link PipeConfig}), the ring's slots are counted in the creating
 * user's {@code pipe_bufs} against {@code pipe-user-pages-soft/-hard} ({@link PipeLimits}), and
 * everything goes back with kfree and {@code __free_page} when the pipe's last file goes.
 */
public final class PipeInfos {
    private final Kmalloc kmalloc;
    private final PageAllocator allocator;
    private final AnonPipeBufOps bufOps;
    private final Tasks tasks;
    private final Creds creds;
    private final UserStructs users;
    private final PipeSysctl sysctl;
    private final PipeConfig config;

    @Inject
    @SuppressWarnings("checkstyle:ParameterNumber")
    PipeInfos(Kmalloc kmalloc, PageAllocator allocator, AnonPipeBufOps bufOps, Tasks tasks, Creds creds,
              UserStructs users, PipeSysctl sysctl, PipeConfig config) {
        this.kmalloc = kmalloc;
        this.allocator = allocator;
        this.bufOps = bufOps;
        this.tasks = tasks;
        this.creds = creds;
        this.users = users;
        this.sysctl = sysctl;
        this.config = config;
    }

    /**
     * {@code alloc_pipe_info()} for {@code current}: {@code PIPE_DEF_BUFFERS} slots (at most
     * {@code pipe-max-size} of them for an unprivileged user, from 4.18), one slot for a user
     * over the soft limit, none (null) over the hard one.
     *
     * @return the pipe, or null ({@code pipe()} then fails with {@code -ENFILE})
     */
    public PipeInodeInfo allocPipeInfo() {
        long address = kmalloc.kzalloc(config.pipeInodeInfoSize(), config.objectGfp());
        if (address == 0) {
            return null;
        }
        UserStruct user = users.allocUid(tasks.current().cred().uid());
        PipeInodeInfo pipe = new PipeInodeInfo(address, user);
        int slots = config.limits().checkFirst() ? slotsCheckingFirst(user) : slotsAccountingFirst(user);
        long bufs = slots == 0 ? 0 : kmalloc.kzalloc((long) slots * PipeBuffer.SIZE, config.objectGfp());
        if (bufs == 0) {
            if (!config.limits().checkFirst()) {
                user.accountPipeBuffers(slots, 0);
            }
            users.freeUid(user);
            kmalloc.kfree(address);
            return null;
        }
        if (config.limits().checkFirst()) {
            user.accountPipeBuffers(0, slots);
        }
        pipe.bufsAddress = bufs;
        pipe.bufs = newRing(slots);
        pipe.maxUsage = slots;
        pipe.nrAccounted = slots;
        return pipe;
    }

    /** 4.8: the limits are looked at before the pipe counts; over the hard one, no ring. */
    private int slotsCheckingFirst(UserStruct user) {
        PipeLimits limits = config.limits();
        if (limits.tooMany(user.pipeBufs(), sysctl.userPagesHard())) {
            return 0;
        }
        return limits.tooMany(user.pipeBufs(), sysctl.userPagesSoft()) ? 1 : PipeSysctl.PIPE_DEF_BUFFERS;
    }

    /** 4.18: the slots count first, then an unprivileged user over a limit gets fewer or none. */
    private int slotsAccountingFirst(UserStruct user) {
        PipeLimits limits = config.limits();
        int slots = PipeSysctl.PIPE_DEF_BUFFERS;
        if ((long) slots * MemMap.PAGE_SIZE > sysctl.maxSize() && !creds.capable(Capability.CAP_SYS_RESOURCE)) {
            slots = (int) (sysctl.maxSize() >> MemMap.PAGE_SHIFT);
        }
        long userBufs = user.accountPipeBuffers(0, slots);
        if (limits.tooMany(userBufs, sysctl.userPagesSoft()) && unprivileged()) {
            userBufs = user.accountPipeBuffers(slots, 1);
            slots = 1;
        }
        if (limits.tooMany(userBufs, sysctl.userPagesHard()) && unprivileged()) {
            user.accountPipeBuffers(slots, 0);
            return 0;
        }
        return slots;
    }

    /** {@code pipe_is_unprivileged_user()}. */
    boolean unprivileged() {
        return !creds.capable(Capability.CAP_SYS_RESOURCE) && !creds.capable(Capability.CAP_SYS_ADMIN);
    }

    /**
     * {@code free_pipe_info(pipe)}: the slots leave the user's count, every buffer is released
     * ({@code anon_pipe_buf_release}), the spare page is freed, then the ring and the object.
     */
    public void freePipeInfo(PipeInodeInfo pipe) {
        synchronized (pipe) {
            pipe.user.accountPipeBuffers(pipe.nrAccounted, 0);
            users.freeUid(pipe.user);
            for (PipeBuffer buf : pipe.bufs) {
                if (buf.page != null) {
                    bufOps.release(pipe, buf);
                }
            }
            if (pipe.tmpPage != null) {
                allocator.freePage(pipe.tmpPage);
                pipe.tmpPage = null;
            }
            kmalloc.kfree(pipe.bufsAddress);
            kmalloc.kfree(pipe.address);
            pipe.bufs = new PipeBuffer[0];
        }
    }

    /**
     * {@code pipe_fcntl(F_SETPIPE_SZ)} / {@code pipe_set_size}: a ring of {@code round_pipe_size}
     * bytes' slots, the queued buffers moved to its start.
     *
     * @return the pipe's new size in bytes; {@code -EINVAL} for a size that rounds to nothing,
     *     {@code -EPERM} above {@code pipe-max-size} without {@code CAP_SYS_RESOURCE} or for a
     *     user over a pipe-user-pages limit, {@code -EBUSY} for fewer slots than buffers queued,
     *     {@code -ENOMEM}
     */
    public long pipeSetSize(PipeInodeInfo pipe, long arg) {
        PipeLimits limits = config.limits();
        long size = limits.roundPipeSize(arg);
        int slots = (int) (size >> MemMap.PAGE_SHIFT);
        if (slots == 0) {
            return Errno.EINVAL.negative();
        }
        synchronized (pipe) {
            if (limits.checkFirst()) {
                if (!creds.capable(Capability.CAP_SYS_RESOURCE) && size > sysctl.maxSize()) {
                    return Errno.EPERM.negative();
                }
                if (overLimit(pipe.user.pipeBufs()) && unprivileged()) {
                    return Errno.EPERM.negative();
                }
                int ret = pipeResizeRing(pipe, slots);
                if (ret < 0) {
                    return ret;
                }
                pipe.user.accountPipeBuffers(pipe.nrAccounted, slots);
            } else {
                boolean grows = slots > pipe.maxUsage;
                if (grows && size > sysctl.maxSize() && !creds.capable(Capability.CAP_SYS_RESOURCE)) {
                    return Errno.EPERM.negative();
                }
                long userBufs = pipe.user.accountPipeBuffers(pipe.nrAccounted, slots);
                int ret = grows && overLimit(userBufs) && unprivileged()
                        ? Errno.EPERM.negative() : pipeResizeRing(pipe, slots);
                if (ret < 0) {
                    pipe.user.accountPipeBuffers(slots, pipe.nrAccounted);
                    return ret;
                }
            }
            pipe.maxUsage = slots;
            pipe.nrAccounted = slots;
            return (long) slots * MemMap.PAGE_SIZE;
        }
    }

    private boolean overLimit(long userBufs) {
        PipeLimits limits = config.limits();
        return limits.tooMany(userBufs, sysctl.userPagesHard()) || limits.tooMany(userBufs, sysctl.userPagesSoft());
    }

    /**
     * {@code pipe_resize_ring(pipe, nr_slots)}: a new kcalloc'd ring with the queued buffers at
     * its start, the old one kfree'd.
     *
     * @return 0, {@code -EBUSY} if more buffers are queued than {@code slots}, {@code -ENOMEM}
     */
    private int pipeResizeRing(PipeInodeInfo pipe, int slots) {
        int n = pipe.head - pipe.tail;
        if (slots < n) {
            return Errno.EBUSY.negative();
        }
        long bufs = kmalloc.kzalloc((long) slots * PipeBuffer.SIZE, config.objectGfp() | __GFP_NOWARN);
        if (bufs == 0) {
            return Errno.ENOMEM.negative();
        }
        PipeBuffer[] ring = newRing(slots);
        for (int i = 0; i < n; i++) {
            ring[i] = pipe.slot(pipe.tail + i);
        }
        kmalloc.kfree(pipe.bufsAddress);
        pipe.bufsAddress = bufs;
        pipe.bufs = ring;
        pipe.tail = 0;
        pipe.head = n;
        return 0;
    }

    private static PipeBuffer[] newRing(int slots) {
        PipeBuffer[] ring = new PipeBuffer[slots];
        for (int i = 0; i < slots; i++) {
            ring[i] = new PipeBuffer();
        }
        return ring;
    }
}
