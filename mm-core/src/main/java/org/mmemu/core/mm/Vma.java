package org.mmemu.core.mm;

import java.util.Locale;
import java.util.Objects;
import org.mmemu.core.fs.File;

/**
 * An emulated {@code vm_area_struct}: the range {@code [start, end)} of one mm with its
 * {@link VmFlags}. An anonymous vma ({@code vma_is_anonymous}: no {@code vm_ops}) is filled by
 * anonymous faults; any other belongs to a driver, which populates it with
 * {@code vm_insert_page} or {@code remap_vmalloc_range}: a file's mapping
 * ({@link AddressSpaces#mmap}: {@code vm_file}, {@code vm_pgoff}, and the {@code vm_ops} and
 * {@code vm_private_data} the file's {@code ->mmap} set) or a bare "special" one
 * ({@link AddressSpaces#mmapSpecial}).
 *
 * <p>Start, end and pgoff change only when a split cuts the vma (munmap, mprotect), under the
 * mm's mmap lock; flags change when a driver sets it up or inserts into it
 * ({@code VM_MIXEDMAP}, {@code VM_DONTEXPAND}...) and at mprotect.
 */
public final class Vma {
    private final MmStruct mm;
    private volatile long start;
    private volatile long end;
    private volatile long flags;
    private volatile long pgoff;
    private volatile VmOperations vmOps;
    private volatile Object privateData;
    private volatile File file;
    /** The anon_vma of anonymous pages faulted in here, null until the first fault. */
    private AnonVma anonVma;

    /**
     * {@code vm_area_alloc} and its setup: {@code vmOps} is null for an anonymous vma
     * ({@code vma_set_anonymous}); {@code file} is the reference the vma holds, or null.
     */
    Vma(MmStruct mm, long start, long end, long flags, long pgoff, VmOperations vmOps, File file) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
        this.vmOps = vmOps;
        this.file = file;
    }

    /**
     * {@code vm_area_dup} into {@code into}, with the {@code get_file} both its callers do:
     * the same range, flags, pgoff, {@code vm_ops}, private data and file.
     */
    Vma dup(MmStruct into) {
        Vma copy = new Vma(into, start, end, flags, pgoff, vmOps, file == null ? null : file.get());
        copy.privateData = privateData;
        return copy;
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

    /** {@code vma_is_anonymous}: no {@code vm_ops}. */
    public boolean isAnonymous() {
        return vmOps == null;
    }

    /** Whether {@code addr} lies in {@code [start, end)}. */
    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /** {@code vm_flags |= mask} ({@code vm_flags_set}). */
    public synchronized void addFlags(long mask) {
        flags |= mask;
    }

    /** {@code vm_flags &= ~mask} ({@code vm_flags_clear}): a driver's {@code ->mmap} drops a {@code VM_MAY*}. */
    public synchronized void clearFlags(long mask) {
        flags &= ~mask;
    }

    /**
     * {@code vm_pgoff}: the offset, in pages, of {@code vm_start} in the mapped file (for a
     * driver, into its memory: {@code remap_vmalloc_range} starts there).
     */
    public long pgoff() {
        return pgoff;
    }

    /** {@code vm_ops}: the driver's, {@link VmOperations#DUMMY} until it sets them, null if anonymous. */
    public VmOperations vmOps() {
        return vmOps;
    }

    /** Sets {@code vm_ops}, as a file's {@code ->mmap} does; a driver vma stays one (non-null). */
    public void setVmOps(VmOperations ops) {
        if (isAnonymous()) {
            throw new IllegalStateException("vm_ops of anonymous " + this);
        }
        this.vmOps = Objects.requireNonNull(ops, "vm_ops");
    }

    /** {@code vm_private_data}: the driver's object, or null. */
    public Object privateData() {
        return privateData;
    }

    /** Sets {@code vm_private_data}. */
    public void setPrivateData(Object privateData) {
        this.privateData = privateData;
    }

    /** {@code vm_file}: the mapped file, whose reference the vma holds; null if none. */
    public File file() {
        return file;
    }

    void setStart(long start) {
        this.start = start;
    }

    void setEnd(long end) {
        this.end = end;
    }

    void setPgoff(long pgoff) {
        this.pgoff = pgoff;
    }

    synchronized void setFlags(long flags) {
        this.flags = flags;
    }

    /** Lets go of {@code vm_file} and returns it (for the caller to {@code fput}). */
    File detachFile() {
        File f = file;
        file = null;
        return f;
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
                isAnonymous() ? " anon" : " pgoff:" + Long.toHexString(pgoff));
    }
}
