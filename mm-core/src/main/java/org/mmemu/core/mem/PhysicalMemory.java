package org.mmemu.core.mem;

import com.google.inject.Inject;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * The machine's RAM: the bytes of every page frame, kept sparsely and keyed by pfn. This is the
 * memory itself, not state about a page, so it is the one pfn-keyed structure DESIGN.md allows
 * beside the mem_map ("RAM is not struct page"). Its page-level operations are the kernel's
 * {@code clear_highpage}, {@code copy_highpage}, {@code memset} and {@code memcpy} on one frame;
 * virtual addresses are resolved above it.
 *
 * <p>A frame's contents are one of three things, held in its slot:
 * <pre>
 *  slot               the frame reads as                 how it gets there
 *  -----------------  ---------------------------------  --------------------------------------
 *  null               PAGE_POISON (0xaa) in every byte   boot, every free (kernel_poison_pages)
 *  ZEROED (length 0)  0 in every byte                    __GFP_ZERO, clear_highpage, a copy
 *  byte[4096]         its bytes                          the first partial write of the frame
 * </pre>
 * So an untouched page costs nothing and a freed page's array is garbage (but for a bounded few
 * kept for the next first writes, see {@link #RECYCLED}), while the one bit
 * "zeroed or poisoned" of an untouched page lives with its contents, where it belongs (it is
 * what the memory holds), not in {@code struct page}: no PG_* bit of the kernel means it, and
 * one here would show in dump_page. Slots come in sections of {@value #SECTION_PAGES} pages (the
 * x86-64 sparsemem section, 128 MiB), each section's slot array (4 bytes a page) made on the
 * first store into it. A byte array per page (not per section) keeps scattered writes cheap:
 * 1000 pages written at random in a 256 MiB machine hold 4 MiB here, 256 MiB with 2 MiB arrays
 * per section; a section array would make a first write and free cheaper (220 against 610 ns,
 * the 4 KiB allocation), but could never be dropped while one page of it is in use.
 *
 * <p>Threads: distinct frames may be written by different CPUs at once. Sections and arrays are
 * installed by compare-and-set, so the first writes of two CPUs never lose one another and no
 * lock is taken; the bytes themselves are plain memory, as in the kernel (racing writers of one
 * frame get what racing CPUs get).
 */
public final class PhysicalMemory {
    /** {@code PAGE_POISON} (include/linux/poison.h): what a page freed with poisoning holds. */
    public static final byte PAGE_POISON = (byte) 0xaa;

    private static final int SECTION_SHIFT = 15;
    /** Pages per section ({@code PAGES_PER_SECTION} on x86-64). */
    public static final int SECTION_PAGES = 1 << SECTION_SHIFT;
    private static final int SECTION_MASK = SECTION_PAGES - 1;
    private static final int PAGE_SIZE = MemMap.PAGE_SIZE;

    /** The slot value of a frame that reads as zeroes but was never written. */
    private static final byte[] ZEROED = new byte[0];

    private static final VarHandle SECTION = MethodHandles.arrayElementVarHandle(byte[][][].class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** A word of a frame that reads as the poison pattern. */
    private static final long POISON_LONG = 0xaaaaaaaaaaaaaaaaL;

    /**
     * Slots of {@link #recycled}: the arrays of at most this many freed frames are kept for
     * the next first writes (1 MiB a machine), so that pages which cycle through the per-CPU
     * lists (a pipe's buffers, written and freed on every round trip) reuse their arrays.
     */
    private static final int RECYCLED = 256;

    private final byte[][][] sections;
    /**
     * Arrays of freed frames, by {@code pfn % RECYCLED}: contents stale, referenced by no slot.
     * Put with a plain release store (a lost one is garbage), taken with an atomic swap (two
     * first writes must never share one).
     */
    private final byte[][] recycled = new byte[RECYCLED][];
    /**
     * Whether any section exists: false until the first zeroed or written frame, so that a
     * machine whose pages are never touched (most benchmarks) pays one load and a branch per
     * allocation and per free, like a static key.
     */
    private volatile boolean populated;

    @Inject
    public PhysicalMemory(MemMap memMap) {
        this.sections = new byte[(memMap.nrPages() + SECTION_MASK) >>> SECTION_SHIFT][][];
    }

    // ---- the allocator's hooks ------------------------------------------------------------

    /**
     * {@code kernel_poison_pages} on free: {@code nr} frames from {@code page} read as
     * {@link #PAGE_POISON} again, and their arrays are dropped (each into its slot of
     * {@link #recycled}, replacing what was there, for reuse). The caller owns the frames, a
     * buddy block: aligned to its size, so inside one section.
     */
    public void kernelPoisonPages(Page page, int nr) {
        if (!populated) {
            return;
        }
        int pfn = (int) page.pfn();
        byte[][] section = section(pfn);
        if (section != null) {
            int end = blockSlot(pfn, nr) + nr;
            for (int i = nextTouched(section, pfn & SECTION_MASK, end); i >= 0;
                    i = nextTouched(section, i + 1, end)) {
                byte[] old = (byte[]) SLOT.getAcquire(section, i);
                SLOT.setRelease(section, i, null);
                if (old.length == PAGE_SIZE) {
                    SLOT.setRelease(recycled, i & RECYCLED - 1, old);
                }
            }
        }
    }

    /**
     * {@code kernel_init_pages} ({@code __GFP_ZERO}): {@code nr} frames from {@code page}, a
     * buddy block, read as zeroes, without an array.
     */
    public void kernelInitPages(Page page, int nr) {
        int pfn = (int) page.pfn();
        byte[][] section = ensureSection(pfn);
        int first = blockSlot(pfn, nr);
        for (int i = first; i < first + nr; i++) {
            SLOT.setRelease(section, i, ZEROED);
        }
    }

    /**
     * Whether the frame holds anything but the poison pattern's lazy form: it was zeroed or
     * written since it was last freed.
     */
    public boolean isTouched(long pfn) {
        return slot((int) pfn) != null;
    }

    /**
     * Whether any of {@code nr} frames from {@code page}, a buddy block, is touched
     * ({@link #isTouched}): the allocator's cheap question before {@code kernel_unpoison_pages}
     * looks at the bytes.
     */
    public boolean anyTouched(Page page, int nr) {
        if (!populated) {
            return false;
        }
        int pfn = (int) page.pfn();
        byte[][] section = section(pfn);
        return section != null && nextTouched(section, pfn & SECTION_MASK, blockSlot(pfn, nr) + nr) >= 0;
    }

    /**
     * The first touched frame ({@link #isTouched}) at or above {@code pfn}, or -1: a walk over
     * the frames that hold something, which skips every section nobody stored into.
     */
    public int nextTouched(int pfn) {
        for (int s = pfn >>> SECTION_SHIFT; s < sections.length; s++) {
            byte[][] section = sections[s];
            int from = s == pfn >>> SECTION_SHIFT ? pfn & SECTION_MASK : 0;
            int i = section == null ? -1 : nextTouched(section, from, section.length);
            if (i >= 0) {
                return (s << SECTION_SHIFT) + i;
            }
        }
        return -1;
    }

    /** Whether the frame has an array of its own (it was written): a diagnostic for footprint. */
    public boolean hasArray(long pfn) {
        byte[] c = slot((int) pfn);
        return c != null && c != ZEROED;
    }

    // ---- page-level access ----------------------------------------------------------------

    /** {@code clear_highpage}: the whole frame reads as zeroes (its array, if any, dropped). */
    public void clearHighpage(Page page) {
        int pfn = (int) page.pfn();
        SLOT.setRelease(ensureSection(pfn), pfn & SECTION_MASK, ZEROED);
    }

    /** {@code copy_highpage}: {@code to} gets {@code from}'s contents; untouched stays untouched. */
    public void copyHighpage(Page to, Page from) {
        int dst = (int) to.pfn();
        byte[] src = slot((int) from.pfn());
        byte[] copy = src == null || src == ZEROED ? src : src.clone();
        byte[][] section = copy == null ? section(dst) : ensureSection(dst);
        if (section != null) {
            SLOT.setRelease(section, dst & SECTION_MASK, copy);
        }
    }

    /** Copies {@code len} bytes at {@code offset} of frame {@code pfn} into {@code dst}. */
    public void read(long pfn, int offset, byte[] dst, int dstOffset, int len) {
        checkRange(offset, len);
        byte[] c = slot((int) pfn);
        if (c == null) {
            Arrays.fill(dst, dstOffset, dstOffset + len, PAGE_POISON);
        } else if (c == ZEROED) {
            Arrays.fill(dst, dstOffset, dstOffset + len, (byte) 0);
        } else {
            System.arraycopy(c, offset, dst, dstOffset, len);
        }
    }

    /** The byte at {@code offset} of frame {@code pfn}. */
    public byte readByte(long pfn, int offset) {
        checkRange(offset, 1);
        byte[] c = slot((int) pfn);
        return c == null ? PAGE_POISON : c == ZEROED ? 0 : c[offset];
    }

    /**
     * The little-endian 64-bit word at {@code offset} of frame {@code pfn}, 8-byte aligned: the
     * lean read of a pointer stored in memory (SLUB's free pointer), with no range check beyond
     * the array's own and no allocation.
     */
    public long readLong(long pfn, int offset) {
        byte[] c = slot((int) pfn);
        return c == null ? POISON_LONG : c == ZEROED ? 0 : (long) LONG.get(c, offset);
    }

    /** Stores a little-endian 64-bit word at {@code offset} (8-byte aligned) of frame {@code pfn}. */
    public void writeLong(long pfn, int offset, long value) {
        byte[] c = slot((int) pfn);
        LONG.set(c == null || c == ZEROED ? writable((int) pfn) : c, offset, value);
    }

    /** Copies {@code len} bytes of {@code src} to {@code offset} of frame {@code pfn}. */
    public void write(long pfn, int offset, byte[] src, int srcOffset, int len) {
        checkRange(offset, len);
        if (len == PAGE_SIZE) {
            writePage((int) pfn, src, srcOffset);
        } else if (len > 0) {
            System.arraycopy(src, srcOffset, writable((int) pfn), offset, len);
        }
    }

    /**
     * A whole frame written (a pipe buffer, a full copy_from_user): an array-less frame gets a
     * copy of the source as its array, with neither the poison fill nor the zeroing that
     * {@link #writable} would spend on bytes about to be overwritten.
     */
    private void writePage(int pfn, byte[] src, int srcOffset) {
        byte[][] section = ensureSection(pfn);
        int i = pfn & SECTION_MASK;
        byte[] c = (byte[]) SLOT.getAcquire(section, i);
        if (c == null || c == ZEROED) {
            byte[] fresh = takeRecycled(pfn);
            if (fresh == null) {
                fresh = Arrays.copyOfRange(src, srcOffset, srcOffset + PAGE_SIZE);
            } else {
                System.arraycopy(src, srcOffset, fresh, 0, PAGE_SIZE);
            }
            if (SLOT.compareAndExchange(section, i, c, fresh) == c) {
                return;
            }
        }
        // The frame had an array, or another CPU's first write installed one meanwhile.
        System.arraycopy(src, srcOffset, writable(pfn), 0, PAGE_SIZE);
    }

    /**
     * {@code memset} within one frame. Filling a whole frame with 0 or with the poison byte, or
     * an array-less frame with what it reads as, keeps (or makes) it array-less.
     */
    public void memset(long pfn, int offset, int c, int len) {
        checkRange(offset, len);
        byte b = (byte) c;
        int p = (int) pfn;
        byte[] now = slot(p);
        if (now == null && b == PAGE_POISON || now == ZEROED && b == 0) {
            return;
        }
        if (len == PAGE_SIZE && (b == 0 || b == PAGE_POISON)) {
            byte[][] section = b == 0 ? ensureSection(p) : section(p);
            if (section != null) {
                SLOT.setRelease(section, p & SECTION_MASK, b == 0 ? ZEROED : null);
            }
        } else if (len > 0) {
            Arrays.fill(writable(p), offset, offset + len, b);
        }
    }

    /**
     * {@code memcpy} of {@code len} bytes between two frames (or within one; overlapping ranges
     * are copied as {@code memmove} does).
     */
    public void copy(long dstPfn, int dstOffset, long srcPfn, int srcOffset, int len) {
        checkRange(dstOffset, len);
        checkRange(srcOffset, len);
        byte[] src = slot((int) srcPfn);
        if (src == null || src == ZEROED) {
            memset(dstPfn, dstOffset, src == null ? PAGE_POISON : 0, len);
        } else if (len > 0) {
            System.arraycopy(src, srcOffset, writable((int) dstPfn), dstOffset, len);
        }
    }

    // ---- slots ----------------------------------------------------------------------------

    /**
     * A plain read: a section is installed empty, and the nulls of a new array are visible to
     * every thread however it is published (JLS 17.4.4), so only its slots need acquire reads.
     */
    private byte[][] section(int pfn) {
        return sections[pfn >>> SECTION_SHIFT];
    }

    /** The first slot of {@code section} in {@code [from, to)} that is not null, or -1. */
    private static int nextTouched(byte[][] section, int from, int to) {
        for (int i = from; i < to; i++) {
            if (SLOT.getAcquire(section, i) != null) {
                return i;
            }
        }
        return -1;
    }

    /** The slot index of a block's first frame; the block must not straddle two sections. */
    private static int blockSlot(int pfn, int nr) {
        int first = pfn & SECTION_MASK;
        assert first + nr <= SECTION_PAGES : nr + " pages at pfn " + pfn + " straddle a section";
        return first;
    }

    private byte[] slot(int pfn) {
        byte[][] section = section(pfn);
        return section == null ? null : (byte[]) SLOT.getAcquire(section, pfn & SECTION_MASK);
    }

    private byte[][] ensureSection(int pfn) {
        byte[][] section = section(pfn);
        if (section != null) {
            return section;
        }
        byte[][] fresh = new byte[SECTION_PAGES][];
        populated = true;
        byte[][] witness = (byte[][]) SECTION.compareAndExchange(sections, pfn >>> SECTION_SHIFT, null, fresh);
        return witness == null ? fresh : witness;
    }

    /** The frame's own array, made on first write from what it read as until then. */
    private byte[] writable(int pfn) {
        byte[][] section = ensureSection(pfn);
        int i = pfn & SECTION_MASK;
        byte[] c = (byte[]) SLOT.getAcquire(section, i);
        while (c == null || c == ZEROED) {
            byte[] fresh = takeRecycled(pfn);
            if (fresh == null) {
                fresh = new byte[PAGE_SIZE];
                if (c == null) {
                    Arrays.fill(fresh, PAGE_POISON);
                }
            } else {
                Arrays.fill(fresh, c == null ? PAGE_POISON : 0);
            }
            byte[] witness = (byte[]) SLOT.compareAndExchange(section, i, c, fresh);
            c = witness == c ? fresh : witness;
        }
        return c;
    }

    /** A freed frame's array for a first write of {@code pfn}, or null: its stale bytes to be overwritten. */
    private byte[] takeRecycled(int pfn) {
        return (byte[]) SLOT.getAndSet(recycled, pfn & RECYCLED - 1, (byte[]) null);
    }

    private static void checkRange(int offset, int len) {
        if (offset < 0 || len < 0 || offset > PAGE_SIZE - len) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + len + " of a " + PAGE_SIZE + "-byte page");
        }
    }
}
