package org.mmemu.bpf;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Capability;
import org.mmemu.core.cred.Creds;
import org.mmemu.core.fs.AnonInodes;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mm.VmFlags;
import org.mmemu.core.mm.VmOperations;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;
import org.mmemu.core.vmalloc.Vmalloc;

/**
 * The map commands of {@code bpf(2)} (kernel/bpf/syscall.c: {@code map_create},
 * {@code map_lookup_elem}, {@code map_update_elem}, {@code map_delete_elem}, {@code map_freeze},
 * {@code bpf_map_get_fd_by_id}, {@code bpf_map_new_fd}, {@code __bpf_map_put},
 * {@code bpf_map_free_deferred}) and the map files they hand out: {@code bpf_map_fops}
 * ({@code bpf_map_release}, {@code bpf_map_mmap}) and {@code bpf_map_default_vmops}
 * ({@code bpf_map_mmap_open}, {@code bpf_map_mmap_close}).
 *
 * <p>A map lives while it has references: each file (from create or {@code GET_FD_BY_ID}) holds
 * one, and each mapping holds its file. The last reference unpublishes the id and frees the
 * map after an RCU grace period (the {@code synchronize_rcu} of 4.x's {@code array_map_free},
 * the {@code rcu_barrier} of {@code htab_map_free}), when its memory leaves whoever paid.
 *
 * <p>Results are 0 (or an fd) or a negative errno, as the kernel's.
 */
public final class BpfSyscall implements FileOperations, VmOperations {
    /** {@code KMALLOC_MAX_SIZE} of SLUB on x86-64: the largest value user space can copy. */
    static final long KMALLOC_MAX_SIZE = 1L << 22;

    private final BpfMapMemory memory;
    private final BpfMapIds ids;
    private final AnonInodes anonInodes;
    private final Creds creds;
    private final KernelMemory kernelMemory;
    private final Vmalloc vmalloc;
    private final Rcu rcu;
    private final Cpus cpus;

    @Inject
    BpfSyscall(BpfMapMemory memory, BpfMapIds ids, AnonInodes anonInodes, Creds creds, KernelMemory kernelMemory,
               Vmalloc vmalloc, Rcu rcu, Cpus cpus) {
        this.memory = memory;
        this.ids = ids;
        this.anonInodes = anonInodes;
        this.creds = creds;
        this.kernelMemory = kernelMemory;
        this.vmalloc = vmalloc;
        this.rcu = rcu;
        this.cpus = cpus;
    }

    /**
     * {@code BPF_MAP_CREATE} as {@code current}: the attributes checked as the type's
     * {@code map_alloc_check} does, the map allocated and paid for, its id published, its file
     * installed in the lowest free fd.
     *
     * @return the fd; {@code -EINVAL} (bad sizes, zero entries, a flag the era's type does not
     *     know, {@code BPF_F_RDONLY} with {@code BPF_F_WRONLY}), {@code -E2BIG} (a value or key
     *     too large), {@code -EPERM} (past {@code RLIMIT_MEMLOCK}, up to 5.10), {@code -ENOMEM},
     *     {@code -EMFILE}
     */
    public int mapCreate(BpfMapType type, int keySize, int valueSize, int maxEntries, int flags) {
        if ((flags & BpfMapFlags.RDONLY) != 0 && (flags & BpfMapFlags.WRONLY) != 0) {
            return Errno.EINVAL.negative();
        }
        int ret = allocCheck(type, keySize, valueSize, maxEntries, flags);
        if (ret < 0) {
            return ret;
        }
        BpfMap map = switch (type) {
            case HASH -> new BpfHtab(keySize, valueSize, maxEntries, flags, cpus, memory, kernelMemory, rcu);
            case PERCPU_ARRAY -> new BpfPercpuArray(valueSize, maxEntries, flags, cpus.nrCpus(), memory, kernelMemory);
            case ARRAY -> new BpfArray(valueSize, maxEntries, flags, creds.capable(Capability.CAP_SYS_ADMIN), memory,
                    kernelMemory, vmalloc);
        };
        ret = map.alloc();
        if (ret < 0) {
            return ret;
        }
        memory.saveMemcg(map);
        if (memory.config().mapIds()) {
            ids.alloc(map);
        }
        int fd = anonInodes.getfd(this, map, fileMode(flags));
        if (fd < 0) {
            mapPut(map);
        }
        return fd;
    }

    /** {@code array_map_alloc_check} / {@code htab_map_alloc_check} of the era. */
    private int allocCheck(BpfMapType type, int keySize, int valueSize, int maxEntries, int flags) {
        BpfConfig config = memory.config();
        boolean hash = type == BpfMapType.HASH;
        int known = hash ? config.hashFlags() : config.arrayFlags();
        if ((flags & ~known) != 0 || !flagsAccessOk(flags) || maxEntries <= 0 || valueSize <= 0) {
            return Errno.EINVAL.negative();
        }
        if (type == BpfMapType.PERCPU_ARRAY && (flags & BpfMapFlags.MMAPABLE) != 0) {
            return Errno.EINVAL.negative();
        }
        if (hash) {
            if (keySize <= 0 || (flags & BpfMapFlags.NO_COMMON_LRU) != 0) {
                return Errno.EINVAL.negative();
            }
            if (keySize > BpfHtab.MAX_BPF_STACK
                    || valueSize >= KMALLOC_MAX_SIZE - BpfHtab.MAX_BPF_STACK - BpfHtab.HTAB_ELEM_SIZE) {
                return Errno.E2BIG.negative();
            }
            return 0;
        }
        if (keySize != Integer.BYTES) {
            return Errno.EINVAL.negative();
        }
        return valueSize > KMALLOC_MAX_SIZE ? Errno.E2BIG.negative() : 0;
    }

    /** {@code bpf_map_flags_access_ok}: not read-only and write-only for programs at once. */
    private static boolean flagsAccessOk(int flags) {
        int both = BpfMapFlags.RDONLY_PROG | BpfMapFlags.WRONLY_PROG;
        return (flags & both) != both;
    }

    /** {@code bpf_get_file_flag} → the file's {@code f_mode}. */
    private static int fileMode(int flags) {
        if ((flags & BpfMapFlags.RDONLY) != 0) {
            return File.FMODE_READ;
        }
        if ((flags & BpfMapFlags.WRONLY) != 0) {
            return File.FMODE_WRITE;
        }
        return File.FMODE_READ | File.FMODE_WRITE;
    }

    /** {@code __bpf_map_get}: the map behind {@code file}, or null if it is no map file. */
    public BpfMap mapOf(File file) {
        return file.operations() == this ? (BpfMap) file.privateData() : null;
    }

    /** {@code map_get_sys_perms}: the file's mode, without write once the map is frozen. */
    private static int sysPerms(BpfMap map, File file) {
        return map.frozen ? file.mode() & ~File.FMODE_WRITE : file.mode();
    }

    /**
     * {@code BPF_MAP_LOOKUP_ELEM}: the value of {@code key} copied into {@code value}
     * ({@link BpfMap#userValueSize()} bytes).
     *
     * @return 0; {@code -EINVAL} for a file that is no map or buffers of the wrong size,
     *     {@code -EPERM} without read access, {@code -ENOENT}
     */
    public int mapLookupElem(File file, byte[] key, byte[] value) {
        BpfMap map = mapOf(file);
        if (map == null || key.length != map.keySize || value.length != map.userValueSize()) {
            return Errno.EINVAL.negative();
        }
        if ((sysPerms(map, file) & File.FMODE_READ) == 0) {
            return Errno.EPERM.negative();
        }
        return map.lookupElem(key, value);
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM}.
     *
     * @return 0; {@code -EINVAL} (no map, wrong sizes, unknown flags), {@code -EPERM} (no write
     *     access, or frozen), {@code -EEXIST}, {@code -ENOENT}, {@code -E2BIG} (index out of
     *     range, or the hash is full), {@code -ENOMEM}
     */
    public int mapUpdateElem(File file, byte[] key, byte[] value, long flags) {
        BpfMap map = mapOf(file);
        if (map == null || key.length != map.keySize || value.length != map.userValueSize()) {
            return Errno.EINVAL.negative();
        }
        if ((sysPerms(map, file) & File.FMODE_WRITE) == 0) {
            return Errno.EPERM.negative();
        }
        return map.updateElem(key, value, flags);
    }

    /**
     * {@code BPF_MAP_DELETE_ELEM}.
     *
     * @return 0; {@code -EINVAL} (no map, wrong key size, an array), {@code -EPERM},
     *     {@code -ENOENT}
     */
    public int mapDeleteElem(File file, byte[] key) {
        BpfMap map = mapOf(file);
        if (map == null || key.length != map.keySize) {
            return Errno.EINVAL.negative();
        }
        if ((sysPerms(map, file) & File.FMODE_WRITE) == 0) {
            return Errno.EPERM.negative();
        }
        return map.deleteElem(key);
    }

    /**
     * {@code BPF_MAP_FREEZE} (5.2 on; {@code -EINVAL}, an unknown command, before).
     *
     * @return 0; {@code -EBUSY} while a writable mapping exists or when already frozen,
     *     {@code -EPERM} without {@code CAP_SYS_ADMIN}
     */
    public int mapFreeze(File file) {
        BpfMap map = mapOf(file);
        if (map == null || !memory.config().freeze()) {
            return Errno.EINVAL.negative();
        }
        synchronized (map) {
            if (map.writecnt != 0 || map.frozen) {
                return Errno.EBUSY.negative();
            }
            if (!creds.capable(Capability.CAP_SYS_ADMIN)) {
                return Errno.EPERM.negative();
            }
            map.frozen = true;
        }
        return 0;
    }

    /**
     * The map's id, as {@code BPF_OBJ_GET_INFO_BY_FD} reports it (4.13 on; {@code -EINVAL} before).
     */
    public int mapId(File file) {
        BpfMap map = mapOf(file);
        return map == null || !memory.config().mapIds() ? Errno.EINVAL.negative() : map.id;
    }

    /**
     * {@code BPF_MAP_GET_FD_BY_ID}: a new read-write file on the map with that id.
     *
     * @return the fd; {@code -EINVAL} before 4.13, {@code -EPERM} without {@code CAP_SYS_ADMIN},
     *     {@code -ENOENT} for an id no live map has, {@code -EMFILE}
     */
    public int mapGetFdById(int id) {
        if (!memory.config().mapIds()) {
            return Errno.EINVAL.negative();
        }
        if (!creds.capable(Capability.CAP_SYS_ADMIN)) {
            return Errno.EPERM.negative();
        }
        BpfMap map = ids.getById(id);
        if (map == null) {
            return Errno.ENOENT.negative();
        }
        int fd = anonInodes.getfd(this, map, File.FMODE_READ | File.FMODE_WRITE);
        if (fd < 0) {
            mapPut(map);
        }
        return fd;
    }

    /**
     * {@code __bpf_map_put}: the last reference unpublishes the id and frees the map after a
     * grace period ({@code bpf_map_free_deferred}: the memcg released, {@code map_free}, the
     * memlock given back).
     */
    void mapPut(BpfMap map) {
        if (map.refcnt.decrementAndGet() == 0) {
            ids.free(map);
            rcu.callRcu(() -> {
                memory.releaseMemcg(map);
                map.free();
                memory.chargeFinish(map);
            });
        }
    }

    /** {@code bpf_map_release}: the file's reference on the map. */
    @Override
    public void release(File file) {
        mapPut((BpfMap) file.privateData());
    }

    /**
     * {@code bpf_map_mmap} (5.5 on; before, map files have no {@code ->mmap}: {@code -ENODEV}):
     * shared mappings only; a writable one refused for a frozen map ({@code -EPERM}) and a
     * {@code BPF_F_RDONLY_PROG} one ({@code -EACCES}); a read-only one loses
     * {@code VM_MAYWRITE}, so that mprotect cannot make it writable; {@code VM_MAYEXEC} goes
     * always. Types without {@code map_mmap} give {@code -ENOTSUPP}. Each vma that may write
     * counts in {@code writecnt}.
     */
    @Override
    public int mmap(File file, Vma vma) {
        BpfMap map = (BpfMap) file.privateData();
        if (!memory.config().mmapable()) {
            return Errno.ENODEV.negative();
        }
        if (!map.hasMmap()) {
            return Errno.ENOTSUPP.negative();
        }
        if (!vma.hasFlags(VmFlags.VM_SHARED)) {
            return Errno.EINVAL.negative();
        }
        synchronized (map) {
            if (vma.hasFlags(VmFlags.VM_WRITE)) {
                if (map.frozen) {
                    return Errno.EPERM.negative();
                }
                if ((map.mapFlags & BpfMapFlags.RDONLY_PROG) != 0) {
                    return Errno.EACCES.negative();
                }
            }
            vma.setVmOps(this);
            vma.setPrivateData(map);
            vma.clearFlags(VmFlags.VM_MAYEXEC);
            if (!vma.hasFlags(VmFlags.VM_WRITE)) {
                vma.clearFlags(VmFlags.VM_MAYWRITE);
            }
            int err = map.mmap(vma);
            if (err == 0 && vma.hasFlags(VmFlags.VM_MAYWRITE)) {
                map.writecnt++;
            }
            return err;
        }
    }

    /** {@code bpf_map_mmap_open}: a split or forked copy that may write counts too. */
    @Override
    public void open(Vma vma) {
        BpfMap map = (BpfMap) vma.privateData();
        if (vma.hasFlags(VmFlags.VM_MAYWRITE)) {
            synchronized (map) {
                map.writecnt++;
            }
        }
    }

    /** {@code bpf_map_mmap_close}: every vma that goes, the first one included. */
    @Override
    public void close(Vma vma) {
        BpfMap map = (BpfMap) vma.privateData();
        if (vma.hasFlags(VmFlags.VM_MAYWRITE)) {
            synchronized (map) {
                map.writecnt--;
            }
        }
    }

    @Override
    public String toString() {
        return "bpf_map_fops";
    }
}
