package org.mmemu.kernel;

import java.util.function.ToIntFunction;
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
 */
final class BpfCalls {
    private final Kernel kernel;
    private final TaskStruct task;

    BpfCalls(Kernel kernel, TaskStruct task) {
        this.kernel = kernel;
        this.task = task;
    }

    private BpfSyscall bpf() {
        return kernel.get(BpfSyscall.class);
    }

    /** {@code BPF_MAP_CREATE}: the new map's fd. */
    int mapCreate(BpfMapType type, int keySize, int valueSize, int maxEntries, int flags) {
        int ret;
        try (var running = kernel.enter(new Task(kernel, task))) {
            ret = bpf().mapCreate(type, keySize, valueSize, maxEntries, flags);
        }
        return check(ret, "bpf(BPF_MAP_CREATE, " + type + ")");
    }

    /** {@code BPF_MAP_UPDATE_ELEM}. */
    void mapUpdate(int fd, byte[] key, byte[] value, long flags) {
        call("bpf(BPF_MAP_UPDATE_ELEM, " + fd + ")", fd, f -> bpf().mapUpdateElem(f, key, value, flags));
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: a copy of the value. */
    byte[] mapLookup(int fd, byte[] key) {
        byte[][] value = new byte[1][];
        call("bpf(BPF_MAP_LOOKUP_ELEM, " + fd + ")", fd, f -> {
            BpfMap map = bpf().mapOf(f);
            if (map == null) {
                return Errno.EINVAL.negative();
            }
            value[0] = new byte[map.userValueSize()];
            return bpf().mapLookupElem(f, key, value[0]);
        });
        return value[0];
    }

    /** {@code BPF_MAP_DELETE_ELEM}. */
    void mapDelete(int fd, byte[] key) {
        call("bpf(BPF_MAP_DELETE_ELEM, " + fd + ")", fd, f -> bpf().mapDeleteElem(f, key));
    }

    /** {@code BPF_MAP_FREEZE}. */
    void mapFreeze(int fd) {
        call("bpf(BPF_MAP_FREEZE, " + fd + ")", fd, f -> bpf().mapFreeze(f));
    }

    /** The map's id ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    int mapId(int fd) {
        return call("bpf(BPF_OBJ_GET_INFO_BY_FD, " + fd + ")", fd, f -> bpf().mapId(f));
    }

    /** {@code BPF_MAP_GET_FD_BY_ID}. */
    int mapGetFdById(int id) {
        int ret;
        try (var running = kernel.enter(new Task(kernel, task))) {
            ret = bpf().mapGetFdById(id);
        }
        return check(ret, "bpf(BPF_MAP_GET_FD_BY_ID, " + id + ")");
    }

    /** {@code op} on the file behind {@code fd}, as the task; {@code -EBADF} for an fd not open. */
    private int call(String name, int fd, ToIntFunction<File> op) {
        int ret;
        try (var running = kernel.enter(new Task(kernel, task))) {
            File f = task.files().fget(fd);
            if (f == null) {
                ret = Errno.EBADF.negative();
            } else {
                try {
                    ret = op.applyAsInt(f);
                } finally {
                    f.put();
                }
            }
        }
        return check(ret, name);
    }

    private int check(int ret, String name) {
        if (ret < 0) {
            throw new ErrnoException(Errno.fromNegative(ret), name + " by " + task);
        }
        return ret;
    }
}
