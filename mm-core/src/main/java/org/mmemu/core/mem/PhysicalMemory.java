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
 *  slot                  the frame reads as               how it gets there
 *  --------------------  -------------------------------  ------------------------------------
 *  null                  PAGE_POISON (0xaa) in every byte  boot; a free beyond the budget
 *  ZEROED (length 0)     0 in every byte                   __GFP_ZERO, clear_highpage, a copy
 *  a frame array         by its state byte (see below)     the first write of the frame
 * </pre>
 * A frame array is the frame's 4096 bytes and one state byte after them: {@code DATA} (the frame
 * reads as its bytes), {@code POISONED} or {@code ZERO} (it reads as the poison pattern or as
 * zeroes, whatever bytes the array still holds: those are gone for every reader), or
 * {@code BUSY} (a first write is filling it). Once a frame has an array it keeps it across free
 * and reallocation: a free ({@code kernel_poison_pages}, mm/page_poison.c) only marks it
 * poisoned and the next first write fills it with what it reads as, so the page cycle of a pipe
 * or a socket makes no garbage and stores no reference (each of which would cost the JVM's
 * collector work on other threads). The poisoning is lazy but means what the kernel's eager
 * {@code memset} means: a stale write after the free turns the frame back to {@code DATA}, which
 * {@code check_poison_mem} at the next allocation and the "page poison" check find. Arrays are
 * kept so up to {@value #RETAINED_FRAMES} a machine; beyond that a free drops the array.
 *
 * <p>Slots come in sections of {@value #SECTION_PAGES} pages (the x86-64 sparsemem section,
 * 128 MiB), each section's slot array (4 bytes a page) made on the first store into it. A byte
 * array per page (not per section) keeps scattered writes cheap: 1000 pages written at random
 * in a 256 MiB machine hold 4 MiB here, 256 MiB with 2 MiB arrays per section.
 *
 * <p>Threads: distinct frames may be written by different CPUs at once. Sections and arrays are
 * installed by compare-and-set and a lazy frame array is claimed for its fill by a
 * compare-and-set of its state byte, so the first writes of two CPUs never lose one another and
 * no lock is taken; the bytes themselves are plain memory, as in the kernel (racing writers of
 * one frame get what racing CPUs get).
 */
public final class PhysicalMemory {
    /** {@code PAGE_POISON} (include/linux/poison.h): what a page freed with poisoning holds. */
    public static final byte PAGE_POISON = (byte) 0xaa;

    private static final int SECTION_SHIFT = 15;
    /** Pages per section ({@code PAGES_PER_SECTION} on x86-64). */
    public static final int SECTION_PAGES = 1 << SECTION_SHIFT;
    private static final int SECTION_MASK = SECTION_PAGES - 1;
    private static final int PAGE_SIZE = MemMap.PAGE_SIZE;

    /**
     * Frame arrays a free keeps (64 MiB of them): beyond, a free drops the frame's array, so that
     * what a machine once wrote and freed does not hold the heap.
     */
    static final int RETAINED_FRAMES = 1 << 14;

    /** The slot value of a frame that reads as zeroes but was never written. */
    private static final byte[] ZEROED = new byte[0];

    /** A frame array's state byte, at index {@link #PAGE_SIZE}: the frame reads as the array's bytes. */
    private static final byte DATA = 0;
    /** The frame reads as the poison pattern, whatever the array holds. */
    private static final byte POISONED = 1;
    /** The frame reads as zeroes, whatever the array holds. */
    private static final byte ZERO = 2;
    /** A first write is filling the array: wait for {@link #DATA}. */
    private static final byte BUSY = 3;

    private static final VarHandle SECTION = MethodHandles.arrayElementVarHandle(byte[][][].class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[][].class);
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final VarHandle FRAMES;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** A word of a frame that reads as the poison pattern. */
    private static final long POISON_LONG = 0xaaaaaaaaaaaaaaaaL;

    static {
        try {
            FRAMES = MethodHandles.lookup().findVarHandle(PhysicalMemory.class, "frames", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[][][] sections;
    private final int retainedFrames;
    /**
     * Frame arrays in the slots: changed only when one is made (a first write of an array-less
     * frame) or dropped, and read by every free (a shared word the page cycle never writes).
     */
    @SuppressWarnings("unused")
    private volatile int frames;
    /**
     * Whether any section exists: false until the first zeroed or written frame, so that a
     * machine whose pages are never touched (most benchmarks) pays one load and a branch per
     * allocation and per free, like a static key.
     */
    private volatile boolean populated;

    @Inject
    public PhysicalMemory(MemMap memMap) {
        this(memMap, RETAINED_FRAMES);
    }

    /** A store whose frees keep the arrays of {@code retainedFrames} frames at most. */
    PhysicalMemory(MemMap memMap, int retainedFrames) {
        this.sections = new byte[(memMap.nrPages() + SECTION_MASK) >>> SECTION_SHIFT][][];
        this.retainedFrames = retainedFrames;
    }

    // ---- the allocator's hooks ------------------------------------------------------------

    /**
     * {@code kernel_poison_pages} on free: {@code nr} frames from {@code page} read as
     * {@link #PAGE_POISON} again. A frame array is kept, marked poisoned (or dropped, beyond
     * {@link #RETAINED_FRAMES}). The caller owns the frames, a buddy block: aligned to its size,
     * so inside one section.
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
                byte[] c = (byte[]) SLOT.getAcquire(section, i);
                if (c != ZEROED && (int) FRAMES.getOpaque(this) <= retainedFrames) {
                    STATE.setRelease(c, PAGE_SIZE, POISONED);
                } else {
                    SLOT.setRelease(section, i, null);
                    if (c != ZEROED) {
                        FRAMES.getAndAdd(this, -1);
                    }
                }
            }
        }
    }

    /**
     * {@code kernel_init_pages} ({@code __GFP_ZERO}): {@code nr} frames from {@code page}, a
     * buddy block, read as zeroes, without a fill.
     */
    public void kernelInitPages(Page page, int nr) {
        int pfn = (int) page.pfn();
        byte[][] section = ensureSection(pfn);
        int first = blockSlot(pfn, nr);
        for (int i = first; i < first + nr; i++) {
            setLazy(section, i, ZERO);
        }
    }

    /**
     * Whether the frame holds anything but the poison pattern's lazy form: it was zeroed or
     * written since it was last freed.
     */
    public boolean isTouched(long pfn) {
        return state(slot((int) pfn)) != POISONED;
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

    /**
     * Whether the frame reads as bytes of its own (it was written since it was last zeroed or
     * poisoned), which only an array holds: a diagnostic for footprint.
     */
    public boolean hasArray(long pfn) {
        return state(slot((int) pfn)) == DATA;
    }

    // ---- page-level access ----------------------------------------------------------------

    /** {@code clear_highpage}: the whole frame reads as zeroes, without a fill. */
    public void clearHighpage(Page page) {
        int pfn = (int) page.pfn();
        setLazy(ensureSection(pfn), pfn & SECTION_MASK, ZERO);
    }

    /** {@code copy_highpage}: {@code to} gets {@code from}'s contents; untouched stays untouched. */
    public void copyHighpage(Page to, Page from) {
        int dst = (int) to.pfn();
        byte[] src = slot((int) from.pfn());
        byte state = state(src);
        if (state == DATA) {
            writePage(dst, src, 0);
        } else {
            setLazy(dst, state);
        }
    }

    /** Copies {@code len} bytes at {@code offset} of frame {@code pfn} into {@code dst}. */
    public void read(long pfn, int offset, byte[] dst, int dstOffset, int len) {
        checkRange(offset, len);
        byte[] c = slot((int) pfn);
        byte state = state(c);
        if (state == DATA) {
            System.arraycopy(c, offset, dst, dstOffset, len);
        } else {
            Arrays.fill(dst, dstOffset, dstOffset + len, readsAs(state));
        }
    }

    /** The byte at {@code offset} of frame {@code pfn}. */
    public byte readByte(long pfn, int offset) {
        checkRange(offset, 1);
        byte[] c = slot((int) pfn);
        byte state = state(c);
        return state == DATA ? c[offset] : readsAs(state);
    }

    /**
     * The little-endian 64-bit word at {@code offset} of frame {@code pfn}, 8-byte aligned: the
     * lean read of a pointer stored in memory (SLUB's free pointer), with no range check beyond
     * the array's own and no allocation.
     */
    public long readLong(long pfn, int offset) {
        byte[] c = slot((int) pfn);
        byte state = state(c);
        return state == DATA ? (long) LONG.get(c, offset) : state == ZERO ? 0 : POISON_LONG;
    }

    /** Stores a little-endian 64-bit word at {@code offset} (8-byte aligned) of frame {@code pfn}. */
    public void writeLong(long pfn, int offset, long value) {
        LONG.set(writable((int) pfn), offset, value);
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
     * {@code memset} within one frame. Filling a whole frame with 0 or with the poison byte
     * makes it read so lazily, without a fill.
     */
    public void memset(long pfn, int offset, int c, int len) {
        checkRange(offset, len);
        byte b = (byte) c;
        int p = (int) pfn;
        byte state = state(slot(p));
        if (state == POISONED && b == PAGE_POISON || state == ZERO && b == 0) {
            return;
        }
        if (len == PAGE_SIZE && (b == 0 || b == PAGE_POISON)) {
            setLazy(p, b == 0 ? ZERO : POISONED);
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
        byte state = state(src);
        if (state != DATA) {
            memset(dstPfn, dstOffset, readsAs(state), len);
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

    /** The first touched slot of {@code section} in {@code [from, to)}, or -1. */
    private static int nextTouched(byte[][] section, int from, int to) {
        for (int i = from; i < to; i++) {
            if (state((byte[]) SLOT.getAcquire(section, i)) != POISONED) {
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

    /** What a slot's frame reads as: {@link #DATA}, {@link #POISONED} or {@link #ZERO}, a fill under way waited out. */
    private static byte state(byte[] c) {
        if (c == null) {
            return POISONED;
        }
        if (c == ZEROED) {
            return ZERO;
        }
        byte state = (byte) STATE.getAcquire(c, PAGE_SIZE);
        while (state == BUSY) {
            Thread.onSpinWait();
            state = (byte) STATE.getAcquire(c, PAGE_SIZE);
        }
        return state;
    }

    /** The byte every position of a lazy frame ({@link #POISONED} or {@link #ZERO}) reads as. */
    private static byte readsAs(byte state) {
        return state == ZERO ? 0 : PAGE_POISON;
    }

    private void setLazy(int pfn, byte state) {
        byte[][] section = state == POISONED ? section(pfn) : ensureSection(pfn);
        if (section != null) {
            setLazy(section, pfn & SECTION_MASK, state);
        }
    }

    /** The frame reads as {@code state}, lazily: a frame array is marked, an array-less slot set. */
    private static void setLazy(byte[][] section, int i, byte state) {
        byte[] c = (byte[]) SLOT.getAcquire(section, i);
        if (c != null && c != ZEROED) {
            STATE.setRelease(c, PAGE_SIZE, state);
        } else if (c != (state == ZERO ? ZEROED : null)) {
            SLOT.setRelease(section, i, state == ZERO ? ZEROED : null);
        }
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

    /** The frame's array holding its bytes: made, or filled from its lazy state, on its first write. */
    private byte[] writable(int pfn) {
        return firstWrite(pfn, null, 0);
    }

    /**
     * A whole frame written (a pipe buffer, a full copy_from_user): the first write fills the
     * array with the source instead of the poison or zeroes about to be overwritten.
     */
    private void writePage(int pfn, byte[] src, int srcOffset) {
        byte[] c = firstWrite(pfn, src, srcOffset);
        if (c != null) {
            System.arraycopy(src, srcOffset, c, 0, PAGE_SIZE);
        }
    }

    /**
     * The frame's array in {@link #DATA} state. A lazy frame's array (or a new one) is filled
     * first: from {@code src} at {@code srcOffset} if given (then null is returned: the write is
     * done), else with what the frame read as.
     */
    private byte[] firstWrite(int pfn, byte[] src, int srcOffset) {
        byte[][] section = ensureSection(pfn);
        int i = pfn & SECTION_MASK;
        for (;;) {
            byte[] c = (byte[]) SLOT.getAcquire(section, i);
            if (c == null || c == ZEROED) {
                byte[] fresh = new byte[PAGE_SIZE + 1];
                if (c == null || src != null) {
                    fill(fresh, POISONED, src, srcOffset);
                }
                if (SLOT.compareAndSet(section, i, c, fresh)) {
                    FRAMES.getAndAdd(this, 1);
                    return src == null ? fresh : null;
                }
                continue;
            }
            byte state = (byte) STATE.getAcquire(c, PAGE_SIZE);
            if (state == DATA) {
                return c;
            }
            if (state != BUSY && STATE.compareAndSet(c, PAGE_SIZE, state, BUSY)) {
                fill(c, state, src, srcOffset);
                STATE.setRelease(c, PAGE_SIZE, DATA);
                return src == null ? c : null;
            }
            Thread.onSpinWait();
        }
    }

    /** A frame array's bytes: a copy of a page of {@code src}, else what a frame in {@code state} reads as. */
    private static void fill(byte[] frame, byte state, byte[] src, int srcOffset) {
        if (src != null) {
            System.arraycopy(src, srcOffset, frame, 0, PAGE_SIZE);
        } else if (state == POISONED) {
            Arrays.fill(frame, 0, PAGE_SIZE, PAGE_POISON);
        } else {
            Arrays.fill(frame, 0, PAGE_SIZE, (byte) 0);
        }
    }

    private static void checkRange(int offset, int len) {
        if (offset < 0 || len < 0 || offset > PAGE_SIZE - len) {
            throw new IndexOutOfBoundsException("bytes " + offset + "+" + len + " of a " + PAGE_SIZE + "-byte page");
        }
    }
}
