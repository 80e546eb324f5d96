package org.mmemu.bpf;

import static org.mmemu.core.page.Gfp.GFP_ATOMIC;
import static org.mmemu.core.page.Gfp.GFP_USER;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import org.mmemu.core.Errno;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpus;

/**
 * {@code BPF_MAP_TYPE_HASH} (kernel/bpf/hashtab.c: {@code htab_map_alloc}, {@code prealloc_init},
 * {@code alloc_htab_elem}, {@code htab_map_update_elem}, {@code htab_map_delete_elem},
 * {@code free_htab_elem}, {@code htab_map_free}): {@code struct bpf_htab} from kmalloc, the
 * bucket array from {@code bpf_map_area_alloc}, and elements ({@code struct htab_elem}: a
 * 48-byte header, the key and the value, each 8-byte aligned) either preallocated in one area
 * ({@code max_entries} plus one spare per possible CPU, as {@code prealloc_init} sizes it) or,
 * with {@code BPF_F_NO_PREALLOC}, kmalloc'd on update ({@code bpf_map_kmalloc_node} from 5.11,
 * so charged to the map's memcg) and freed after a grace period on delete or replace; in the
 * latest era (6.13.7's hashtab.c) taken from and given back to a {@link BpfMemAlloc} instead.
 *
 * <p>The element bytes live in kernel memory; which key is in which element is kept in a Java
 * index beside them ({@link HtabIndex}), standing for the bucket lists.
 */
final class BpfHtab extends BpfMap {
    /** {@code sizeof(struct htab_elem)}: node, rcu head or LRU node, hash, padding. */
    static final int HTAB_ELEM_SIZE = 48;
    /** {@code sizeof(struct bucket)}: list head and raw spinlock. */
    static final int BUCKET_SIZE = 16;
    /** {@code sizeof(struct bpf_htab)}: the map and the hash's own fields, a kmalloc-512 object. */
    static final int BPF_HTAB_SIZE = 448;
    /** {@code MAX_BPF_STACK}: the largest key a program can build. */
    static final int MAX_BPF_STACK = 512;

    private final KernelMemory kernelMemory;
    private final Rcu rcu;
    private final Cpus cpus;
    private final int nrCpus;
    private final boolean prealloc;
    /** {@code htab->elem_size}. */
    final int elemSize;
    private final HtabIndex elements = new HtabIndex();
    private long htab;
    private long buckets;
    private long elems;
    /** Free preallocated elements, a stack of addresses ({@code htab->freelist}). */
    private long[] freelist;
    private int nrFree;
    /** {@code htab->ma}: the element allocator of the latest era without preallocation, or null. */
    private BpfMemAlloc ma;

    BpfHtab(int keySize, int valueSize, int maxEntries, int mapFlags, Cpus cpus, BpfMapMemory memory,
            KernelMemory kernelMemory, Rcu rcu) {
        super(BpfMapType.HASH, keySize, valueSize, maxEntries, mapFlags, memory);
        this.kernelMemory = kernelMemory;
        this.rcu = rcu;
        this.cpus = cpus;
        this.nrCpus = cpus.nrCpus();
        this.prealloc = (mapFlags & BpfMapFlags.NO_PREALLOC) == 0;
        this.elemSize = HTAB_ELEM_SIZE + BpfArray.roundUp8(keySize) + BpfArray.roundUp8(valueSize);
    }

    @Override
    int alloc() {
        htab = memory.kzallocObject(BPF_HTAB_SIZE, GFP_USER);
        if (htab == 0) {
            return Errno.ENOMEM.negative();
        }
        long nBuckets = roundupPowOfTwo(maxEntries);
        long cost = nBuckets * BUCKET_SIZE + (long) elemSize * maxEntries + (long) elemSize * nrCpus;
        int ret = memory.chargeInit(this, cost);
        if (ret < 0) {
            memory.kfree(htab);
            return ret;
        }
        buckets = memory.areaAlloc(nBuckets * BUCKET_SIZE, false);
        if (buckets != 0 && prealloc) {
            elems = memory.elemsAlloc((long) elemSize * (maxEntries + nrCpus));
            if (elems == 0) {
                memory.areaFree(buckets);
                buckets = 0;
            }
        }
        if (buckets == 0) {
            memory.chargeFinish(this);
            memory.kfree(htab);
            return Errno.ENOMEM.negative();
        }
        if (prealloc) {
            freelist = new long[maxEntries];
            for (int i = maxEntries - 1; i >= 0; i--) {
                freelist[nrFree++] = elems + (long) (i + nrCpus) * elemSize;
            }
        } else if (memory.config().memAlloc()) {
            ma = new BpfMemAlloc(elemSize, memory, rcu, cpus);
        }
        return 0;
    }

    private long valueAddr(long elem) {
        return elem + HTAB_ELEM_SIZE + BpfArray.roundUp8(keySize);
    }

    @Override
    synchronized int lookupElem(byte[] key, byte[] out) {
        long elem = elements.get(key);
        if (elem == 0) {
            return Errno.ENOENT.negative();
        }
        kernelMemory.read(valueAddr(elem), out, 0, valueSize);
        return 0;
    }

    /**
     * {@code htab_map_update_elem}: {@code check_flags}, then a new element (from the freelist,
     * or kmalloc'd), or with preallocation an existing element's value rewritten.
     */
    @Override
    int updateElem(byte[] key, byte[] value, long flags) {
        if (Long.compareUnsigned(flags, BpfUpdateFlags.EXIST) > 0) {
            return Errno.EINVAL.negative();
        }
        long replaced;
        synchronized (this) {
            long old = elements.get(key);
            if (old != 0 && flags == BpfUpdateFlags.NOEXIST) {
                return Errno.EEXIST.negative();
            }
            if (old == 0 && flags == BpfUpdateFlags.EXIST) {
                return Errno.ENOENT.negative();
            }
            if (prealloc && old != 0) {
                kernelMemory.write(valueAddr(old), value, 0, valueSize);
                return 0;
            }
            long elem;
            if (prealloc) {
                if (nrFree == 0) {
                    return Errno.E2BIG.negative();
                }
                elem = freelist[--nrFree];
            } else {
                if (old == 0 && elements.size() >= maxEntries) {
                    return Errno.E2BIG.negative();
                }
                elem = ma != null ? ma.alloc() : memory.kmalloc(this, elemSize, GFP_ATOMIC | __GFP_NOWARN);
                if (elem == 0) {
                    return Errno.ENOMEM.negative();
                }
            }
            kernelMemory.write(elem + HTAB_ELEM_SIZE, key, 0, keySize);
            kernelMemory.write(valueAddr(elem), value, 0, valueSize);
            // The index keeps its own copy of a new key; a replaced one keeps the copy it has.
            replaced = elements.put(old == 0 ? key.clone() : key, elem);
        }
        if (replaced != 0) {
            freeElem(replaced);
        }
        return 0;
    }

    /**
     * {@code htab_elem_free} of a kmalloc'd element: back to {@code bpf_mem_alloc}'s cache at once
     * (the latest era), or kfree'd after a grace period ({@code htab_elem_free_rcu}).
     */
    private void freeElem(long elem) {
        if (ma != null) {
            ma.free(elem);
        } else {
            rcu.callRcu(() -> memory.kfree(elem));
        }
    }

    /** {@code htab_map_delete_elem} and {@code free_htab_elem}: back to the freelist, or kfree after RCU. */
    @Override
    int deleteElem(byte[] key) {
        long elem;
        synchronized (this) {
            elem = elements.remove(key);
            if (elem == 0) {
                return Errno.ENOENT.negative();
            }
            if (prealloc) {
                freelist[nrFree++] = elem;
                return 0;
            }
        }
        freeElem(elem);
        return 0;
    }

    @Override
    public synchronized int cachedObjects() {
        return ma == null ? 0 : ma.cachedObjects();
    }

    @Override
    synchronized void free() {
        if (ma != null) {
            // delete_all_elements, then bpf_mem_alloc_destroy
            for (long elem : elements.elements()) {
                ma.free(elem);
            }
            ma.destroy();
        } else if (!prealloc) {
            for (long elem : elements.elements()) {
                memory.kfree(elem);
            }
        } else {
            memory.areaFree(elems);
        }
        elements.clear();
        memory.areaFree(buckets);
        memory.kfree(htab);
    }
}
