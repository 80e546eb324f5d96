package org.mmemu.kernel;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.net.SockOpt;
import org.mmemu.net.SocketType;

/**
 * A user-space process of a {@link Kernel}, as a test drives it: each method is a system call
 * made by the process (or, for {@link #kill}, sent to it), failing with {@link ErrnoException}
 * as the kernel's would. Once the process is dead (it exited, or was killed by {@link #kill}
 * or the OOM killer, which all let a system call under way on another CPU finish first),
 * {@link #isAlive()} is false and every call throws {@code ESRCH}.
 *
 * <pre>
 *  Task t = kernel.spawn("/job");
 *  Task child = t.fork();                  // same cgroup, the fds shared
 *  child.moveTo("/other");
 *  t.exit();                               // its mm, fds and cgroup membership released
 * </pre>
 *
 * <p>The kernel side of the process is its {@link #taskStruct()}; {@link Kernel#enter} runs
 * kernel code as it. Two handles of the same process are equal.
 */
public final class Task {
    private final Kernel kernel;
    private final TaskStruct task;
    private final PipeCalls pipeCalls;
    private final SocketCalls socketCalls;
    private final BpfCalls bpfCalls;
    private final MappingCalls mappingCalls;

    Task(Kernel kernel, TaskStruct task) {
        this.kernel = kernel;
        this.task = task;
        this.pipeCalls = new PipeCalls(kernel, this);
        this.socketCalls = new SocketCalls(kernel, this, pipeCalls);
        this.bpfCalls = new BpfCalls(kernel, this);
        this.mappingCalls = new MappingCalls(kernel, this);
    }

    /** The process id. */
    public int pid() {
        return task.pid();
    }

    /** Whether the process still runs: it has neither exited nor been killed. */
    public boolean isAlive() {
        return task.isAlive();
    }

    /** The kernel's {@code task_struct} of the process, for code that runs as it. */
    public TaskStruct taskStruct() {
        return task;
    }

    /**
     * {@code fork()}: a child in the same cgroup, with the same credentials and limits, a copy
     * of the fd table sharing the open files, and a copy of the address space's layout.
     *
     * @throws ErrnoException {@code ESRCH} if dead, {@code ENOMEM} if the child's mm could not
     *     be allocated (charged)
     */
    public Task fork() {
        return kernel.fork(this);
    }

    /**
     * Moves the process into the cgroup at {@code cgroupPath}, as writing its pid to that
     * cgroup's {@code cgroup.procs} does; its charges stay where they were made.
     *
     * @throws ErrnoException {@code ESRCH} if dead, {@code ENOENT} if no such cgroup,
     *     {@code EBUSY} if the cgroup enables memory for its children
     */
    public void moveTo(String cgroupPath) {
        kernel.requireAlive(task);
        kernel.cgroupfs().write(cgroupPath + "/cgroup.procs", Integer.toString(pid()));
    }

    /**
     * {@code kill(pid, SIGKILL)} from another process: a process that no CPU runs dies at once,
     * releasing what it holds as {@link #exit()} does; one in a system call on some CPU
     * ({@link Kernel#enter}) finishes that call and dies on its way back to user space, alive
     * until then.
     *
     * @throws ErrnoException {@code ESRCH} if already dead
     */
    public void kill() {
        kernel.kill(task);
    }

    /**
     * {@code exit_group(2)} ({@code do_group_exit} → {@code do_exit}): the process lets go of
     * its mm, its fds and whatever the installed modules give processes, then leaves its
     * cgroup; each page is uncharged from the cgroup it was charged to, and the pid is gone.
     * If some CPU runs the process ({@link Kernel#enter}, a system call under way, as another
     * thread of it), nothing that call uses is torn down: the process is only marked (SIGKILL
     * pending for its other threads, as {@code zap_other_threads} does, so it is no OOM kill)
     * and stays alive until the last CPU running it returns to user space and exits it, as
     * after {@link #kill()}. Meanwhile {@code exit()} again fails with {@code ESRCH}, while
     * {@link #kill()} is accepted and changes nothing.
     *
     * @throws ErrnoException {@code ESRCH} if already dead, or exiting (killed or exited while
     *     a CPU runs it)
     */
    public void exit() {
        kernel.exit(task, "exit of");
    }

    /**
     * Writes {@code /proc/<pid>/oom_score_adj}: the OOM killer's bias for this process,
     * -1000 (never chosen) to 1000 (chosen first).
     *
     * @throws ErrnoException {@code ESRCH} if dead, {@code EINVAL} outside -1000..1000 (the
     *     value stays as it was)
     */
    public void setOomScoreAdj(int adj) {
        kernel.requireAlive(task);
        if (task.setOomScoreAdj(adj) < 0) {
            throw new ErrnoException(Errno.EINVAL, "oom_score_adj " + adj + " is outside "
                    + TaskStruct.OOM_SCORE_ADJ_MIN + ".." + TaskStruct.OOM_SCORE_ADJ_MAX);
        }
    }

    /**
     * {@code close(fd)}, run as the process: the file's last reference releases it.
     *
     * @throws ErrnoException {@code ESRCH} if dead, {@code EBADF} if {@code fd} is not open
     */
    public void close(int fd) {
        int ret;
        try (var running = kernel.enter(this)) {
            ret = task.files().closeFd(fd);
        }
        if (ret < 0) {
            throw new ErrnoException(Errno.fromNegative(ret), "close(" + fd + ") by " + task);
        }
    }

    /**
     * {@code pipe()}: a new pipe's read and write ends, in the two lowest free fds.
     *
     * @throws ErrnoException {@code ESRCH} if dead, {@code ENFILE} if no pipe could be allocated
     *     (or the user is over {@code pipe-user-pages-hard}), {@code EMFILE} without two free fds
     */
    public int[] pipe() {
        return pipeCalls.pipe();
    }

    /**
     * {@code write(fd, data, data.length)} to a pipe, which takes the bytes from the array as
     * from a kernel buffer. Never blocks: a full pipe takes what fits.
     *
     * @return the bytes written
     * @throws ErrnoException {@code EAGAIN} if nothing fitted, {@code EPIPE} without readers
     *     (the process is then killed by {@code SIGPIPE} unless it {@link #ignoreSigpipe ignores}
     *     it), {@code ENOMEM} if no page could be charged, {@code EBADF}, {@code EINVAL} for a
     *     file that is no pipe, {@code ESRCH} if dead
     */
    public int write(int fd, byte[] data) {
        return pipeCalls.write(fd, data);
    }

    /**
     * {@code read(fd, buf, max)} from a pipe.
     *
     * @return the bytes read; empty at end of file (no writers left)
     * @throws ErrnoException {@code EAGAIN} if the pipe is empty and has writers, {@code EBADF},
     *     {@code EINVAL} for a file that is no pipe, {@code ESRCH} if dead
     */
    public byte[] read(int fd, int max) {
        return pipeCalls.read(fd, max);
    }

    /**
     * {@code read(fd, buf, buf.length)} from a pipe into the caller's array, as {@code read(2)}
     * fills a user buffer: what a test that reads much reuses instead of a new array per call.
     *
     * @return the bytes read into the start of {@code buf}; 0 at end of file
     * @throws ErrnoException as {@link #read(int, int)}
     */
    public int read(int fd, byte[] buf) {
        return pipeCalls.read(fd, buf);
    }

    /**
     * {@code fcntl(fd, F_SETPIPE_SZ, bytes)}.
     *
     * @return the pipe's new size: {@code bytes} rounded up to a power-of-two number of pages
     * @throws ErrnoException {@code EPERM} above {@code pipe-max-size} without
     *     {@code CAP_SYS_RESOURCE} (or over a pipe-user-pages limit), {@code EBUSY} below what
     *     is queued, {@code EINVAL}, {@code EBADF} for a file that is no pipe
     */
    public int fcntlSetPipeSize(int fd, long bytes) {
        return pipeCalls.fcntlSetPipeSize(fd, bytes);
    }

    /**
     * {@code tee(in, out, len, SPLICE_F_NONBLOCK)}: up to {@code len} bytes of pipe {@code in}
     * duplicated into pipe {@code out} by sharing pages, {@code in} left as it was.
     *
     * @return the bytes duplicated (0 if {@code in} is empty with no writers)
     * @throws ErrnoException {@code EAGAIN}, {@code EPIPE} (and {@code SIGPIPE}), {@code EBADF},
     *     {@code EINVAL} unless both are distinct pipes
     */
    public long tee(int in, int out, long len) {
        return pipeCalls.tee(in, out, len);
    }

    /**
     * {@code splice(in, NULL, out, NULL, len, SPLICE_F_NONBLOCK)} between two pipes: whole
     * buffers move, a partial one shares its page. Results and errors as {@link #tee}.
     */
    public long splice(int in, int out, long len) {
        return pipeCalls.splice(in, out, len);
    }

    /** {@code signal(SIGPIPE, SIG_IGN)}: a write without readers then only fails with {@code EPIPE}. */
    public void ignoreSigpipe() {
        pipeCalls.ignoreSigpipe();
    }

    /**
     * {@code bpf(BPF_MAP_CREATE)}: a new map (its file in the lowest free fd), paid for by the
     * task: its user's {@code RLIMIT_MEMLOCK} up to 5.10, its cgroup from 5.11.
     *
     * @param flags {@link BpfMapFlags} bits
     * @return the map's fd
     * @throws ErrnoException {@code EINVAL} (bad sizes, zero entries, a flag the era does not
     *     know: {@code MMAPABLE} before 5.5), {@code E2BIG}, {@code EPERM} (past the memlock
     *     limit, up to 5.10), {@code ENOMEM}, {@code EMFILE}, {@code ESRCH} if dead
     */
    public int bpfMapCreate(BpfMapType type, int keySize, int valueSize, int maxEntries, int flags) {
        return bpfCalls.mapCreate(type, keySize, valueSize, maxEntries, flags);
    }

    /**
     * {@code bpf(BPF_MAP_UPDATE_ELEM)}: stores {@code value} under {@code key}.
     *
     * @param flags {@link BpfUpdateFlags}
     * @throws ErrnoException {@code EEXIST} ({@code NOEXIST} and the key exists; any array
     *     index), {@code ENOENT} ({@code EXIST} and it does not), {@code E2BIG} (a full hash, an
     *     index out of range), {@code EPERM} (a frozen map), {@code EINVAL}, {@code EBADF},
     *     {@code ENOMEM}
     */
    public void bpfMapUpdate(int fd, byte[] key, byte[] value, long flags) {
        bpfCalls.mapUpdate(fd, key, value, flags);
    }

    /**
     * {@code bpf(BPF_MAP_LOOKUP_ELEM)}: a copy of the value under {@code key}.
     *
     * @throws ErrnoException {@code ENOENT}, {@code EINVAL}, {@code EBADF}
     */
    public byte[] bpfMapLookup(int fd, byte[] key) {
        return bpfCalls.mapLookup(fd, key);
    }

    /**
     * {@code bpf(BPF_MAP_DELETE_ELEM)}.
     *
     * @throws ErrnoException {@code ENOENT}, {@code EINVAL} (arrays), {@code EPERM}, {@code EBADF}
     */
    public void bpfMapDelete(int fd, byte[] key) {
        bpfCalls.mapDelete(fd, key);
    }

    /**
     * {@code bpf(BPF_MAP_FREEZE)}: no more writes from user space.
     *
     * @throws ErrnoException {@code EBUSY} (a writable mapping exists, or already frozen),
     *     {@code EINVAL} before 5.2, {@code EBADF}
     */
    public void bpfMapFreeze(int fd) {
        bpfCalls.mapFreeze(fd);
    }

    /**
     * The map's id ({@code bpf(BPF_OBJ_GET_INFO_BY_FD)}).
     *
     * @throws ErrnoException {@code EINVAL} before 4.13, {@code EBADF}
     */
    public int bpfMapId(int fd) {
        return bpfCalls.mapId(fd);
    }

    /**
     * {@code bpf(BPF_MAP_GET_FD_BY_ID)}: a new fd on the live map with that id.
     *
     * @throws ErrnoException {@code ENOENT} once the map is gone, {@code EINVAL} before 4.13,
     *     {@code EPERM} without {@code CAP_SYS_ADMIN}
     */
    public int bpfMapGetFdById(int id) {
        return bpfCalls.mapGetFdById(id);
    }

    /**
     * {@code mmap(NULL, length, prot, MAP_SHARED, fd, offset)}.
     *
     * @param prot {@link Prot} bits
     * @return the mapping's address
     * @throws ErrnoException {@code EINVAL} (an unaligned offset, out of the map's bounds, a map
     *     that is not mmapable), {@code EPERM} (writable and frozen), {@code EACCES} (writable
     *     and {@code RDONLY_PROG}), {@code ENOTSUPP} (a hash map), {@code ENODEV} (before 5.5),
     *     {@code EBADF}, {@code ENOMEM}
     */
    public long mmap(int fd, long length, int prot, long offset) {
        return mappingCalls.mmap(fd, length, prot, offset);
    }

    /** {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)}; as {@link #mmap(int, long, int, long)}. */
    public long mmap(int fd, long length) {
        return mmap(fd, length, Prot.READ | Prot.WRITE, 0);
    }

    /**
     * {@code mprotect(addr, length, prot)}.
     *
     * @throws ErrnoException {@code EACCES} (a permission the mapping may not have: write to a
     *     read-only map mapping), {@code ENOMEM} (not mapped), {@code EINVAL}
     */
    public void mprotect(long addr, long length, int prot) {
        mappingCalls.mprotect(addr, length, prot);
    }

    /**
     * {@code munmap(addr, length)}.
     *
     * @throws ErrnoException {@code EINVAL}
     */
    public void munmap(long addr, long length) {
        mappingCalls.munmap(addr, length);
    }

    /**
     * {@code length} bytes loaded from the task's address {@code addr}.
     *
     * @throws ErrnoException {@code EFAULT} where nothing readable is mapped
     */
    public byte[] readMemory(long addr, int length) {
        return mappingCalls.readMemory(addr, length);
    }

    /**
     * {@code data} stored at the task's address {@code addr}.
     *
     * @throws ErrnoException {@code EFAULT} where nothing writable is mapped
     */
    public void writeMemory(long addr, byte[] data) {
        mappingCalls.writeMemory(addr, data);
    }

    /**
     * {@code socketpair(AF_UNIX, type, 0, sv)}: two connected sockets, in the two lowest free fds.
     *
     * @throws ErrnoException {@code ENOMEM} if a socket could not be allocated, {@code EMFILE}
     *     without two free fds, {@code ESRCH} if dead
     */
    public int[] socketpair(SocketType type) {
        return socketCalls.socketpair(type);
    }

    /**
     * {@code send(fd, data, data.length, MSG_DONTWAIT)} on an AF_UNIX socket, the bytes taken
     * from the array as from a kernel buffer. Never blocks: a stream takes what fits in its send
     * buffer; a datagram goes whole or not at all.
     *
     * @return the bytes sent
     * @throws ErrnoException {@code EAGAIN} if the send buffer is full, {@code EMSGSIZE} for a
     *     datagram over the send buffer, {@code EPIPE} on a stream whose peer is closed (the
     *     process is then killed by {@code SIGPIPE} unless it {@link #ignoreSigpipe ignores}
     *     it), {@code ECONNREFUSED} on a datagram socket whose peer is closed (once; then
     *     {@code ENOTCONN}), {@code ENOBUFS} if no buffer could be charged, {@code EBADF},
     *     {@code ENOTSOCK}, {@code ESRCH} if dead
     */
    public int send(int fd, byte[] data) {
        return socketCalls.send(fd, data);
    }

    /**
     * {@code recv(fd, buf, max, MSG_DONTWAIT)} on an AF_UNIX socket: stream bytes in order (a
     * partly read buffer keeps the rest), or the next datagram (cut to {@code max}).
     *
     * @return the bytes received; empty at a stream's end (its peer closed)
     * @throws ErrnoException {@code EAGAIN} if nothing is queued, {@code ECONNRESET} once on a
     *     stream whose peer closed with data unread, {@code EBADF}, {@code ENOTSOCK},
     *     {@code ESRCH} if dead
     */
    public byte[] recv(int fd, int max) {
        return socketCalls.recv(fd, max);
    }

    /**
     * {@code recv(fd, buf, buf.length, MSG_DONTWAIT)} into the caller's array, as {@code recv(2)}
     * fills a user buffer: what a test that receives much reuses instead of a new array per call.
     *
     * @return the bytes received into the start of {@code buf}; 0 at a stream's end
     * @throws ErrnoException as {@link #recv(int, int)}
     */
    public int recv(int fd, byte[] buf) {
        return socketCalls.recv(fd, buf);
    }

    /**
     * {@code setsockopt(fd, SOL_SOCKET, opt, &value, sizeof(int))}: {@link SockOpt#SNDBUF} and
     * {@link SockOpt#RCVBUF} set twice {@code value}, capped at {@code wmem_max} /
     * {@code rmem_max} first, at least {@code SOCK_MIN_SNDBUF} / {@code SOCK_MIN_RCVBUF}.
     *
     * @throws ErrnoException {@code EBADF}, {@code ENOTSOCK}, {@code ESRCH} if dead
     */
    public void setSockOpt(int fd, SockOpt opt, int value) {
        socketCalls.setSockOpt(fd, opt, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Task other && other.task == task;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(task);
    }

    /** {@code comm[pid]}, as the kernel log names it. */
    @Override
    public String toString() {
        return task.toString();
    }
}
