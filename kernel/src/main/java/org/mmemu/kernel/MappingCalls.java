package org.mmemu.kernel;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.fs.File;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.Mman;
import org.mmemu.core.mm.Mprotect;
import org.mmemu.core.mm.UserCopy;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.sched.TaskStruct;

/**
 * The memory-mapping calls of {@link Task} ({@code mmap} of a file, {@code mprotect},
 * {@code munmap}) and its loads and stores through its page tables ({@code copy_from_user} /
 * {@code copy_to_user} of mm-core's {@link UserCopy}: a fault is {@code EFAULT}). Each runs as
 * the task.
 *
 * <p>One per {@link Task} handle, as {@link PipeCalls}: the services are looked up once per
 * handle, and a call's name is built only when it fails.
 */
final class MappingCalls {
    private final Kernel kernel;
    private final Task owner;
    private final TaskStruct task;
    private UserCopy userCopy;

    MappingCalls(Kernel kernel, Task owner) {
        this.kernel = kernel;
        this.owner = owner;
        this.task = owner.taskStruct();
    }

    private UserCopy userCopy() {
        if (userCopy == null) {
            userCopy = kernel.get(UserCopy.class);
        }
        return userCopy;
    }

    /** {@code mmap(NULL, length, prot, MAP_SHARED, fd, offset)}: the address. */
    long mmap(int fd, long length, int prot, long offset) {
        long ret;
        try (var running = kernel.enter(owner)) {
            ret = mmapLocked(fd, length, prot, offset);
        }
        if (ret < 0) {
            throw new ErrnoException(Errno.fromNegative((int) ret),
                    "mmap(" + fd + ", " + length + ", " + prot + ", " + offset + ") by " + task);
        }
        return ret;
    }

    private long mmapLocked(int fd, long length, int prot, long offset) {
        if ((offset & ~MemMap.PAGE_MASK) != 0) {
            return Errno.EINVAL.negative();
        }
        File f = task.files().fget(fd);
        if (f == null) {
            return Errno.EBADF.negative();
        }
        try {
            return kernel.get(AddressSpaces.class).mmap(task.mm(), f, 0, length, prot, Mman.MAP_SHARED,
                    offset >>> MemMap.PAGE_SHIFT);
        } finally {
            f.put();
        }
    }

    /** {@code mprotect(addr, length, prot)}. */
    void mprotect(long addr, long length, int prot) {
        int ret;
        try (var running = kernel.enter(owner)) {
            ret = kernel.get(Mprotect.class).mprotect(task.mm(), addr, length, prot);
        }
        check(ret, "mprotect(0x" + Long.toHexString(addr) + ", " + length + ", " + prot + ")");
    }

    /** {@code munmap(addr, length)}. */
    void munmap(long addr, long length) {
        int ret;
        try (var running = kernel.enter(owner)) {
            ret = kernel.get(AddressSpaces.class).munmap(task.mm(), addr, length);
        }
        check(ret, "munmap(0x" + Long.toHexString(addr) + ", " + length + ")");
    }

    /** A load of {@code length} bytes at {@code addr}. */
    byte[] readMemory(long addr, int length) {
        byte[] data = new byte[length];
        int left;
        try (var running = kernel.enter(owner)) {
            left = userCopy().copyFromUser(data, 0, addr, length);
        }
        if (left != 0) {
            check(Errno.EFAULT.negative(), "read of 0x" + Long.toHexString(addr));
        }
        return data;
    }

    /** A store of {@code data} at {@code addr}. */
    void writeMemory(long addr, byte[] data) {
        int left;
        try (var running = kernel.enter(owner)) {
            left = userCopy().copyToUser(addr, data, 0, data.length);
        }
        if (left != 0) {
            check(Errno.EFAULT.negative(), "write to 0x" + Long.toHexString(addr));
        }
    }

    private void check(int ret, String name) {
        if (ret < 0) {
            throw new ErrnoException(Errno.fromNegative(ret), name + " by " + task);
        }
    }
}
