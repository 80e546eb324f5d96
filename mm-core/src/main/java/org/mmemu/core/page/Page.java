package org.mmemu.core.page;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One page frame: the emulated {@code struct page}.
 *
 * <p>Every piece of per-page state in mmemu lives in these fields, overlaid the way the kernel
 * overlays its unions; no subsystem keeps a side table keyed by page. Fields are package-private
 * words with accessors named after the kernel's; the atomic ones go through {@link VarHandle}s.
 *
 * <pre>
 *  field        kernel counterpart          overlays
 *  -----------  --------------------------  ----------------------------------------------------
 *  flags        page-&gt;flags                 bits 0..29 PG_* ({@link PageFlags}); bits 30..31 the
 *                                           zone; bits 32..63 the pfn (the kernel keeps
 *                                           section/node/zone bits up there too)
 *  refcount     page-&gt;_refcount             s390 fragment bits from 4.18 (top byte)
 *  mapcount     page-&gt;_mapcount / page_type every tenant in {@link MapcountWord}
 *  mapping      page-&gt;mapping               TAIL_MAPPING in tails, compound_mapcount in the
 *                                           first tail, slab_cache for slab pages
 *  memcgData    page-&gt;memcg_data            mem_cgroup / obj_cgroups pointers before 5.11
 *  lruNext      page-&gt;lru.next              compound_head (bit 0 set) in tail pages
 *  lruPrev      page-&gt;lru.prev              compound order and dtor in the first tail page
 *  privateWord  page-&gt;private               buddy order, slab counters (4.18+)
 * </pre>
 *
 * <p>List links hold {@code pfn << 1}, so bit 0 of {@code lruNext} is clear on a listed page
 * exactly as an aligned {@code list_head} pointer is, and set only in a tail page's
 * compound_head. {@code private} is 32 bits wide here (every value the emulated subsystems
 * store in it fits), which keeps an emulated page at 56 bytes plus its 4-byte mem_map slot:
 * inside the 64 bytes of the kernel's {@code struct page}.
 *
 * <p>RAM is not {@code struct page}: the 4096 bytes of the frame are not here. They live in
 * {@link org.mmemu.core.mem.PhysicalMemory}, keyed by pfn, made on first write and dropped when
 * the page is freed; so is whether an untouched frame reads as zeroes or as the poison pattern.
 */
public final class Page {
    /** Encoded link value meaning "no page" (even, so it never looks like a compound_head). */
    public static final int NIL_LINK = -2;

    private static final int ZONE_SHIFT = 30;
    private static final long ZONE_MASK = 3L << ZONE_SHIFT;
    private static final int PFN_SHIFT = 32;

    private static final VarHandle FLAGS;
    private static final VarHandle REFCOUNT;
    private static final VarHandle MAPCOUNT;
    private static final VarHandle MEMCG_DATA;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLAGS = l.findVarHandle(Page.class, "flags", long.class);
            REFCOUNT = l.findVarHandle(Page.class, "refcount", int.class);
            MAPCOUNT = l.findVarHandle(Page.class, "mapcount", int.class);
            MEMCG_DATA = l.findVarHandle(Page.class, "memcgData", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // Plain fields: reads and writes go through opaque VarHandle access (READ_ONCE/WRITE_ONCE,
    // a plain move on x86), read-modify-writes through atomic VarHandle operations.
    private long flags;
    private int refcount;
    private int mapcount;
    private long mapping;
    private long memcgData;
    private int lruNext;
    private int lruPrev;
    private int privateWord;

    Page(long pfn, int zone) {
        this.flags = (pfn << PFN_SHIFT) | ((long) zone << ZONE_SHIFT);
        this.mapcount = -1;
        this.lruNext = NIL_LINK;
        this.lruPrev = NIL_LINK;
    }

    /**
     * {@code page_to_pfn}. A plain read: the pfn bits are written once, by the constructor, and
     * every later write of the word leaves them as they are.
     */
    public long pfn() {
        return flags >>> PFN_SHIFT;
    }

    /** {@code page_zonenum}. */
    public int zoneId() {
        return (int) ((flags() & ZONE_MASK) >>> ZONE_SHIFT);
    }

    // ---- flags -------------------------------------------------------------------------

    /** The raw flags word, zone and pfn bits included (as dump_page prints it). */
    public long flags() {
        return (long) FLAGS.getOpaque(this);
    }

    /** The PG_* bits alone. */
    public long pageFlags() {
        return flags() & PageFlags.ALL_PAGE_FLAGS;
    }

    /** {@code test_bit(bit, &page->flags)}. */
    public boolean testFlag(int bit) {
        return (flags() & (1L << bit)) != 0;
    }

    /** Atomic {@code set_bit}. */
    public void setFlag(int bit) {
        FLAGS.getAndBitwiseOr(this, 1L << bit);
    }

    /** Atomic {@code clear_bit}. */
    public void clearFlag(int bit) {
        FLAGS.getAndBitwiseAnd(this, ~(1L << bit));
    }

    /** Atomic {@code test_and_clear_bit}. */
    public boolean testAndClearFlag(int bit) {
        return ((long) FLAGS.getAndBitwiseAnd(this, ~(1L << bit)) & (1L << bit)) != 0;
    }

    /** Clears every PG_* bit in {@code mask}, leaving zone and pfn bits alone. */
    public void clearFlags(long mask) {
        FLAGS.getAndBitwiseAnd(this, ~(mask & PageFlags.ALL_PAGE_FLAGS));
    }

    /**
     * {@code page->flags &= ~mask}: the non-atomic clear of code that owns the page exclusively,
     * as {@code free_pages_prepare} does (no locked instruction on the free path). PG_* bits
     * only; zone and pfn bits are kept.
     */
    public void clearFlagsNonAtomic(long mask) {
        FLAGS.setOpaque(this, flags() & ~(mask & PageFlags.ALL_PAGE_FLAGS));
    }

    // ---- _refcount ---------------------------------------------------------------------

    /** {@code page_ref_count}. */
    public int refcount() {
        return (int) REFCOUNT.getOpaque(this);
    }

    /** {@code set_page_count}. */
    public void setRefcount(int value) {
        REFCOUNT.setOpaque(this, value);
    }

    /** {@code page_ref_inc}. */
    public void refInc() {
        REFCOUNT.getAndAdd(this, 1);
    }

    /** {@code page_ref_add}; returns the new value. */
    public int refAdd(int delta) {
        return (int) REFCOUNT.getAndAdd(this, delta) + delta;
    }

    /** {@code page_ref_dec_and_test}. */
    public boolean refDecAndTest() {
        return (int) REFCOUNT.getAndAdd(this, -1) == 1;
    }

    /** {@code page_ref_add_unless(page, 1, 0)}: the try_get_page primitive. */
    public boolean refIncNotZero() {
        int v = refcount();
        while (v != 0) {
            int witness = (int) REFCOUNT.compareAndExchange(this, v, v + 1);
            if (witness == v) {
                return true;
            }
            v = witness;
        }
        return false;
    }

    // ---- _mapcount / page_type -----------------------------------------------------------

    /** The raw {@code _mapcount} word; what it means is in {@link MapcountWord}. */
    public int mapcountWord() {
        return (int) MAPCOUNT.getOpaque(this);
    }

    /** {@code atomic_set(&page->_mapcount, value)}. */
    public void setMapcountWord(int value) {
        MAPCOUNT.setOpaque(this, value);
    }

    /** {@code atomic_add_return(delta, &page->_mapcount)}. */
    public int mapcountAddReturn(int delta) {
        return (int) MAPCOUNT.getAndAdd(this, delta) + delta;
    }

    /** {@code atomic_xor_bits}: XORs {@code bits} into the word and returns the new value. */
    public int mapcountXorReturn(int bits) {
        return (int) MAPCOUNT.getAndBitwiseXor(this, bits) ^ bits;
    }

    /** XORs {@code bits} into {@code _refcount} and returns the new value (s390, 4.18+). */
    public int refcountXorReturn(int bits) {
        return (int) REFCOUNT.getAndBitwiseXor(this, bits) ^ bits;
    }

    // ---- mapping -------------------------------------------------------------------------

    /** {@code page->mapping} as an emulated address (low bits may carry PAGE_MAPPING_* flags). */
    public long mapping() {
        return mapping;
    }

    public void setMapping(long value) {
        mapping = value;
    }

    // ---- memcg_data ----------------------------------------------------------------------

    /**
     * {@code READ_ONCE(page->memcg_data)}: an emulated address with flag bits. A volatile load,
     * which on x86 is the same plain load as an opaque one, because a controlled-concurrency
     * scheduler (Fray) can switch threads at volatile loads but not at opaque ones, and the
     * lockless readers of this word race with its one-time cmpxchg.
     */
    public long memcgData() {
        return (long) MEMCG_DATA.getVolatile(this);
    }

    /** {@code WRITE_ONCE(page->memcg_data, value)}. */
    public void setMemcgData(long value) {
        MEMCG_DATA.setOpaque(this, value);
    }

    /** {@code cmpxchg(&page->memcg_data, expected, value) == expected}. */
    public boolean casMemcgData(long expected, long value) {
        return MEMCG_DATA.compareAndSet(this, expected, value);
    }

    // ---- lru / compound_head -------------------------------------------------------------

    /** The raw {@code lru.next} word: an encoded link, or compound_head in a tail page. */
    public int lruNext() {
        return lruNext;
    }

    public void setLruNext(int value) {
        lruNext = value;
    }

    /** The raw {@code lru.prev} word: an encoded link, or order and dtor in a first tail. */
    public int lruPrev() {
        return lruPrev;
    }

    public void setLruPrev(int value) {
        lruPrev = value;
    }

    // ---- private -------------------------------------------------------------------------

    /** {@code page_private}. */
    public int privateWord() {
        return privateWord;
    }

    /** {@code set_page_private}. */
    public void setPrivateWord(int value) {
        privateWord = value;
    }

    @Override
    public String toString() {
        return "page(pfn=0x" + Long.toHexString(pfn()) + ")";
    }
}
