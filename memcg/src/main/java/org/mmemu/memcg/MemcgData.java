package org.mmemu.memcg;

import com.google.inject.Inject;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageTypes;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpus;

/**
 * {@code page->memcg_data} and its checked accessors (include/linux/memcontrol.h of 5.11):
 * an emulated kernel address with flag bits in the low bits, which the 64-byte alignment of
 * every emulated object leaves free.
 *
 * <pre>
 *  63                                                   6 5   2   1   0
 *  +-----------------------------------------------------+-----+---+---+
 *  |         address of the object (64-byte aligned)     | 0000| K | O |
 *  +-----------------------------------------------------+-----+---+---+
 *   O = MEMCG_DATA_OBJCGS (bit 0): the address is an obj_cgroup vector (slab page, 5.11+;
 *       5.9/5.10 used the same bit in page->obj_cgroups)
 *   K = MEMCG_DATA_KMEM   (bit 1): a non-slab kernel page charged by the page allocator
 *       (5.11+); the address is its mem_cgroup (5.11) or its obj_cgroup (latest)
 *   neither bit: a mem_cgroup (user pages in every era; kmem pages up to 5.10, whose kmem-ness
 *       lived in _mapcount as PageKmemcg, or nowhere at all before 4.8)
 *   0: not charged
 * </pre>
 *
 * <p>Decoding goes through {@link KernelObjects}: an address whose object was freed is reported
 * as a KASAN use-after-free, never resolved. A wrong-kind access is a {@code VM_BUG_ON_PAGE}
 * ({@link org.mmemu.core.KernelBug} with the page dump).
 */
public final class MemcgData {
    /** {@code MEMCG_DATA_OBJCGS}: memcg_data points at an obj_cgroup vector. */
    public static final long MEMCG_DATA_OBJCGS = 1L << 0;
    /** {@code MEMCG_DATA_KMEM}: the page was accounted as a non-slab kernel page. */
    public static final long MEMCG_DATA_KMEM = 1L << 1;
    /** {@code __NR_MEMCG_DATA_FLAGS}: the bit after the last flag. */
    public static final long NR_MEMCG_DATA_FLAGS = 1L << 2;
    /** {@code MEMCG_DATA_FLAGS_MASK}. */
    public static final long MEMCG_DATA_FLAGS_MASK = NR_MEMCG_DATA_FLAGS - 1;

    private final KernelObjects objects;
    private final PageTypes types;
    private final KernelLog log;
    private final Cpus cpus;
    private volatile boolean rcuWarned;

    @Inject
    public MemcgData(KernelObjects objects, PageTypes types, KernelLog log, Cpus cpus) {
        this.objects = objects;
        this.types = types;
        this.log = log;
        this.cpus = cpus;
    }

    /** {@code page_memcg}: the page's memcg; not for slab pages or objcg vectors. */
    public MemCgroup pageMemcg(Page page) {
        long data = page.memcgData();
        if (page.testFlag(PageFlags.PG_slab)) {
            throw types.bug(page, "PageSlab(page)");
        }
        if ((data & MEMCG_DATA_OBJCGS) != 0) {
            throw types.bug(page, "memcg_data & MEMCG_DATA_OBJCGS");
        }
        return decodeMemcg(data);
    }

    /** {@code page_memcg_rcu}: like {@link #pageMemcg} for callers under rcu_read_lock. */
    public MemCgroup pageMemcgRcu(Page page) {
        if (page.testFlag(PageFlags.PG_slab)) {
            throw types.bug(page, "PageSlab(page)");
        }
        if (cpus.current().rcuReadDepth() == 0 && !rcuWarned) {
            rcuWarned = true;
            log.printk("WARNING: page_memcg_rcu called without rcu_read_lock held"
                    + " (WARN_ON_ONCE(!rcu_read_lock_held()))");
            log.addTaint(KernelLog.TAINT_WARN);
        }
        return decodeMemcg(page.memcgData());
    }

    /** {@code page_memcg_check}: safe on any page; null for slab pages (objcg vectors). */
    public MemCgroup pageMemcgCheck(Page page) {
        long data = page.memcgData();
        if ((data & MEMCG_DATA_OBJCGS) != 0) {
            return null;
        }
        return decodeMemcg(data);
    }

    /** {@code PageMemcgKmem}: whether the page is a kmem-charged non-slab page. */
    public boolean pageMemcgKmem(Page page) {
        return isKmem(page, page.memcgData());
    }

    /**
     * {@link #pageMemcgKmem} on {@code data}, the page's memcg_data as the caller read it once
     * (the kernel's plain reads of it are merged by the compiler; opaque reads here are not).
     */
    public boolean isKmem(Page page, long data) {
        if ((data & MEMCG_DATA_OBJCGS) != 0) {
            throw types.bug(page, "page->memcg_data & MEMCG_DATA_OBJCGS");
        }
        return (data & MEMCG_DATA_KMEM) != 0;
    }

    /** {@code page_objcgs}: the obj_cgroup vector address of a slab page (0 if none yet). */
    public long pageObjcgs(Page page) {
        long data = page.memcgData();
        // A slab page with its vector, in one test; no vector yet and the bugs below.
        if ((data & MEMCG_DATA_FLAGS_MASK) == MEMCG_DATA_OBJCGS) {
            return data & ~MEMCG_DATA_FLAGS_MASK;
        }
        if (data != 0 && (data & MEMCG_DATA_OBJCGS) == 0) {
            throw types.bug(page, "memcg_data && !(memcg_data & MEMCG_DATA_OBJCGS)");
        }
        if ((data & MEMCG_DATA_KMEM) != 0) {
            throw types.bug(page, "memcg_data & MEMCG_DATA_KMEM");
        }
        return data & ~MEMCG_DATA_FLAGS_MASK;
    }

    /** {@code page_objcgs_check}: the vector address, or 0 when the page has none. */
    public long pageObjcgsCheck(Page page) {
        long data = page.memcgData();
        if (data == 0 || (data & MEMCG_DATA_OBJCGS) == 0) {
            return 0;
        }
        if ((data & MEMCG_DATA_KMEM) != 0) {
            throw types.bug(page, "memcg_data & MEMCG_DATA_KMEM");
        }
        return data & ~MEMCG_DATA_FLAGS_MASK;
    }

    /**
     * {@code set_page_objcgs}: installs {@code vector | MEMCG_DATA_OBJCGS} if the page has no
     * memcg_data yet (a compare-and-exchange from 0).
     *
     * @return true if this call installed it, false if the page already had memcg_data
     */
    public static boolean setPageObjcgs(Page page, long vector) {
        return page.casMemcgData(0, vector | MEMCG_DATA_OBJCGS);
    }

    /**
     * The memcg a (masked) memcg_data pointer names: a mem_cgroup directly, or, for the latest
     * era's kmem pages, the current memcg of the obj_cgroup ({@code folio_memcg}).
     */
    private MemCgroup decodeMemcg(long data) {
        long address = data & ~MEMCG_DATA_FLAGS_MASK;
        if (address == 0) {
            return null;
        }
        if ((data & MEMCG_DATA_KMEM) != 0) {
            Object o = objects.resolve(address, Object.class);
            if (o instanceof ObjCgroup objcg) {
                return objcg.memcg();
            }
        }
        return objects.resolve(address, MemCgroup.class);
    }

    /** The memcg an address in memcg_data names (KASAN report if freed). */
    public MemCgroup memcgAt(long address) {
        return objects.resolve(address, MemCgroup.class);
    }

    /** The obj_cgroup an address in memcg_data names (KASAN report if freed). */
    public ObjCgroup objcgAt(long address) {
        return objects.resolve(address, ObjCgroup.class);
    }

    /** {@code memcg_data} of a page charged to {@code memcg} as a kmem page (5.11 encoding). */
    public static long kmemData(long address) {
        return address | MEMCG_DATA_KMEM;
    }
}
