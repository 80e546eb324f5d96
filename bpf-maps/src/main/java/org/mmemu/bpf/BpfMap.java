package org.mmemu.bpf;

import java.util.concurrent.atomic.AtomicLong;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.UserStruct;
import org.mmemu.core.mm.Vma;
import org.mmemu.memcg.MemCgroup;

/**
 * {@code struct bpf_map} (include/linux/bpf.h) with its {@code bpf_map_ops}: the attributes,
 * the id, the references ({@code refcnt}: files, mappings through their files, id lookups), the
 * freeze state and writable-mapping count guarded by the map's monitor ({@code freeze_mutex}),
 * and who pays: the memlock user up to 5.10, the memcg from 5.11. Values live in kernel memory
 * that the map type allocates; the type's operations read and write them there.
 */
public abstract class BpfMap {
    /** {@code sizeof(struct bpf_map)} on x86-64 (5.10, two cache-line aligned halves). */
    static final int BPF_MAP_SIZE = 256;

    final BpfMapType type;
    final int keySize;
    final int valueSize;
    final int maxEntries;
    final int mapFlags;
    /** Where the map's memory comes from and who pays for it. */
    final BpfMapMemory memory;
    final AtomicLong refcnt = new AtomicLong(1);
    /** {@code map->id}: 0 until published, 0 again once the last reference went. */
    volatile int id;
    /** {@code map->frozen}; written under the monitor. */
    volatile boolean frozen;
    /** {@code map->writecnt}: the vmas that may write the map; guarded by the monitor. */
    long writecnt;
    /** {@code map->memory.user} (up to 5.10), with a reference. */
    UserStruct user;
    /** {@code map->memory.pages}: what {@link #user}'s {@code locked_vm} carries for the map. */
    long memlockPages;
    /** {@code map->memcg} (5.11 on), with a reference. */
    MemCgroup memcg;

    BpfMap(BpfMapType type, int keySize, int valueSize, int maxEntries, int mapFlags, BpfMapMemory memory) {
        this.memory = memory;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.mapFlags = mapFlags;
    }

    /** The map's type. */
    public BpfMapType type() {
        return type;
    }

    /** {@code key_size}. */
    public int keySize() {
        return keySize;
    }

    /**
     * The bytes a lookup copies out and an update copies in ({@code bpf_map_value_size}): the
     * value, or for a per-CPU map one 8-byte aligned value per possible CPU.
     */
    public int userValueSize() {
        return valueSize;
    }

    /** {@code map->id}, 0 once the map is gone. */
    public int id() {
        return id;
    }

    /** {@code map->frozen}. */
    public boolean frozen() {
        return frozen;
    }

    /** {@code map->writecnt}. */
    public synchronized long writecnt() {
        return writecnt;
    }

    /** The memlock pages the map holds (0 from 5.11). */
    public long memlockPages() {
        return memlockPages;
    }

    /** {@code map->memcg}, or null (up to 5.10). */
    public MemCgroup memcg() {
        return memcg;
    }

    /**
     * The objects the map's element allocator holds that no element uses: charged, free or on
     * their way to kfree after a grace period. Only a {@code BPF_F_NO_PREALLOC} hash of the
     * latest era has such an allocator ({@code bpf_mem_alloc}); 0 for every other map, and once
     * the map is freed.
     */
    public int cachedObjects() {
        return 0;
    }

    /**
     * The map's part of {@code map_alloc} after the attributes were checked: its memory, charged
     * through {@link #memory} (memlock first, up to 5.10).
     *
     * @return 0 or a negative errno ({@code -ENOMEM}, {@code -EPERM}, {@code -E2BIG}); nothing
     *     is left allocated or charged on failure
     */
    abstract int alloc();

    /** {@code map_lookup_elem} + copy: the value of {@code key} into {@code value}; 0 or {@code -ENOENT}. */
    abstract int lookupElem(byte[] key, byte[] value);

    /** {@code map_update_elem}: 0 or a negative errno. */
    abstract int updateElem(byte[] key, byte[] value, long flags);

    /** {@code map_delete_elem}: 0 or a negative errno. */
    abstract int deleteElem(byte[] key);

    /** {@code map_mmap}: maps the map into {@code vma}; {@code -ENOTSUPP} for types without it. */
    int mmap(Vma vma) {
        return Errno.ENOTSUPP.negative();
    }

    /** Whether the type has a {@code map_mmap} operation. */
    boolean hasMmap() {
        return false;
    }

    /** {@code map_free}: every allocation of the map freed. */
    abstract void free();

    /** {@code roundup_pow_of_two(n)} for n of 1 and more. */
    static long roundupPowOfTwo(long n) {
        return 1L << (Long.SIZE - Long.numberOfLeadingZeros(n - 1));
    }

    @Override
    public String toString() {
        return "bpf map " + id + " (" + type + ", " + keySize + "/" + valueSize + "/" + maxEntries + ")";
    }
}
