package org.mmemu.core.mm;

/**
 * An emulated {@code anon_vma}: what an anonymous page's {@code mapping} points at (with
 * {@code PAGE_MAPPING_ANON} set). It has an emulated kernel address and lives while any vma
 * uses it; the vmas a munmap split off share it, as {@code anon_vma_clone} makes them do.
 */
final class AnonVma {
    private long address;
    private int vmas = 1;

    long address() {
        return address;
    }

    void setAddress(long address) {
        this.address = address;
    }

    /** Another vma uses it (a split). */
    synchronized void get() {
        vmas++;
    }

    /** A vma stopped using it; true when it was the last. */
    synchronized boolean put() {
        return --vmas == 0;
    }
}
