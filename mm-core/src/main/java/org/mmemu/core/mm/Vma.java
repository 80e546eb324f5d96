package org.mmemu.core.mm;

import java.util.Locale;

/**
 * An emulated {@code vm_area_struct}: the range {@code [start, end)} of one mm with its
 * {@link VmFlags}. An anonymous vma ({@code vma_is_anonymous}: no {@code vm_ops}) is filled by
 * anonymous faults; any other is "special": a driver's mapping that the driver populates, with
 * {@code vm_insert_page} or {@code remap_vmalloc_range}.
 *
 * <p>Start and end change only when a munmap splits the vma, under the mm's mmap lock; flags
 * change when inserting into the vma ({@code VM_MIXEDMAP}, {@code VM_DONTEXPAND}...).
 */
public final class Vma {
    private final MmStruct mm;
    private final boolean anonymous;
    private volatile long start;
    private volatile long end;
    private volatile long flags;
    /** The anon_vma of anonymous pages faulted in here, null until the first fault. */
    private AnonVma anonVma;

    Vma(MmStruct mm, long start, long end, long flags, boolean anonymous) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.anonymous = anonymous;
    }

    public MmStruct mm() {
        return mm;
    }

    /** {@code vm_start}. */
    public long start() {
        return start;
    }

    /** {@code vm_end}: the first address past the vma. */
    public long end() {
        return end;
    }

    /** {@code vm_flags}. */
    public long flags() {
        return flags;
    }

    /** Whether every bit of {@code mask} is set in {@code vm_flags}. */
    public boolean hasFlags(long mask) {
        return (flags & mask) == mask;
    }

    /** {@code vma_is_anonymous}. */
    public boolean isAnonymous() {
        return anonymous;
    }

    /** Whether {@code addr} lies in {@code [start, end)}. */
    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /** {@code vm_flags |= mask}. */
    public synchronized void addFlags(long mask) {
        flags |= mask;
    }

    void setStart(long start) {
        this.start = start;
    }

    void setEnd(long end) {
        this.end = end;
    }

    synchronized AnonVma anonVma() {
        return anonVma;
    }

    synchronized void setAnonVma(AnonVma anonVma) {
        this.anonVma = anonVma;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "vma %012x-%012x flags:%08x%s", start, end, flags,
                anonymous ? " anon" : "");
    }
}
