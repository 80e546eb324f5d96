package org.mmemu.kernel;

import org.mmemu.bpf.BpfMap;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfSyscall;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.fs.File;
import org.mmemu.core.sched.TaskStruct;

/**
 * The map commands of {@code bpf(2)} for {@link Task}: each runs as the task
 * ({@link Kernel#enter}), looks its fd up ({@code fdget} / {@code fdput}) and turns a negative
 * errno into {@link ErrnoException}. Keys and values cross as Java arrays, the kernel's copy of
 * the user's buffers ({@code __bpf_copy_key}, the {@code kmalloc}'d value).
 *
 * <p>One per {@link Task} handle, as {@link PipeCalls}: {@link BpfSyscall} is looked up once per
 * handle, and the element commands allocate nothing of their own (no lambda, no call name
 * unless the call fails).
 */
final class BpfCalls {
    private final Kernel kernel;
    private final Task owner;
    private final TaskStruct task;
    private BpfSyscall bpf;

    BpfCalls(Kernel kernel, Task owner) {
        this.kernel = kernel;
        this.owner = owner;
        this.task = owner.taskStruct();
    }

    private BpfSyscall bpf() {
        if (bpf == null) {
            bpf = kernel.get(BpfSyscall.class);
        }
        return bpf;
    }

    /** {@code BPF_MAP_CREATE}: the new map's fd. */
    int mapCreate(BpfMapType type, int keySize, int valueSize, int maxEntries, int flags) {
        int ret;
        try (var running = kernel.enter(owner)) {
            ret = bpf().mapCreate(type, keySize, valueSize, maxEntries, flags);
        }
        return check(ret, "bpf(BPF_MAP_CREATE, " + type + ")");
    }

    /** {@code BPF_MAP_UPDATE_ELEM}. */
    void mapUpdate(int fd, byte[] key, byte[] value, long flags) {
        fileCall(Cmd.BPF_MAP_UPDATE_ELEM, fd, key, value, flags, null);
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: a copy of the value. */
    byte[] mapLookup(int fd, byte[] key) {
        byte[][] value = new byte[1][];
        fileCall(Cmd.BPF_MAP_LOOKUP_ELEM, fd, key, null, 0, value);
        return value[0];
    }

    /** {@code BPF_MAP_DELETE_ELEM}. */
    void mapDelete(int fd, byte[] key) {
        fileCall(Cmd.BPF_MAP_DELETE_ELEM, fd, key, null, 0, null);
    }

    /** {@code BPF_MAP_FREEZE}. */
    void mapFreeze(int fd) {
        fileCall(Cmd.BPF_MAP_FREEZE, fd, null, null, 0, null);
    }

    /** The map's id ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    int mapId(int fd) {
        return fileCall(Cmd.BPF_OBJ_GET_INFO_BY_FD, fd, null, null, 0, null);
    }

    /** {@code BPF_MAP_GET_FD_BY_ID}. */
    int mapGetFdById(int id) {
        int ret;
        try (var running = kernel.enter(owner)) {
            ret = bpf().mapGetFdById(id);
        }
        return check(ret, "bpf(BPF_MAP_GET_FD_BY_ID, " + id + ")");
    }

    /** The commands on a map's fd. */
    private enum Cmd { BPF_MAP_UPDATE_ELEM, BPF_MAP_LOOKUP_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_FREEZE,
        BPF_OBJ_GET_INFO_BY_FD }

    /**
     * {@code cmd} on the file behind {@code fd}, as the task; {@code -EBADF} for an fd not open.
     * A lookup's value comes back in {@code lookedUp[0]}.
     */
    private int fileCall(Cmd cmd, int fd, byte[] key, byte[] value, long flags, byte[][] lookedUp) {
        int ret;
        try (var running = kernel.enter(owner)) {
            File f = task.files().fget(fd);
            if (f == null) {
                ret = Errno.EBADF.negative();
            } else {
                try {
                    ret = switch (cmd) {
                        case BPF_MAP_UPDATE_ELEM -> bpf().mapUpdateElem(f, key, value, flags);
                        case BPF_MAP_LOOKUP_ELEM -> lookup(f, key, lookedUp);
                        case BPF_MAP_DELETE_ELEM -> bpf().mapDeleteElem(f, key);
                        case BPF_MAP_FREEZE -> bpf().mapFreeze(f);
                        case BPF_OBJ_GET_INFO_BY_FD -> bpf().mapId(f);
                    };
                } finally {
                    f.put();
                }
            }
        }
        // The call's name only for a failure: nothing built on the way of a success.
        return ret < 0 ? check(ret, "bpf(" + cmd + ", " + fd + ")") : ret;
    }

    private int lookup(File f, byte[] key, byte[][] lookedUp) {
        BpfMap map = bpf().mapOf(f);
        if (map == null) {
            return Errno.EINVAL.negative();
        }
        lookedUp[0] = new byte[map.userValueSize()];
        return bpf().mapLookupElem(f, key, lookedUp[0]);
    }

    private int check(int ret, String name) {
        if (ret < 0) {
            throw new ErrnoException(Errno.fromNegative(ret), name + " by " + task);
        }
        return ret;
    }
}
