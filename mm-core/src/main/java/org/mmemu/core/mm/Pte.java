package org.mmemu.core.mm;

import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * Page-table entry values in the x86-64 format (arch/x86/include/asm/pgtable_types.h), which
 * every emulated table uses: the frame's physical address with flag bits in the low twelve. An
 * entry of 0 is {@code pte_none}.
 */
@SuppressWarnings("checkstyle:ConstantName")
public final class Pte {
    public static final long _PAGE_PRESENT = 0x001;
    public static final long _PAGE_RW = 0x002;
    public static final long _PAGE_USER = 0x004;
    public static final long _PAGE_ACCESSED = 0x020;
    public static final long _PAGE_DIRTY = 0x040;
    /**
     * {@code _PAGE_PROTNONE}: a {@code PROT_NONE} entry, which keeps its frame but is not
     * {@code _PAGE_PRESENT} to the MMU (the global bit, unused in user entries).
     */
    public static final long _PAGE_PROTNONE = 0x100;
    /** {@code _PAGE_TABLE}: how an upper entry points at the table below (pmd_populate). */
    public static final long _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED
            | _PAGE_DIRTY;
    /** {@code PTE_PFN_MASK}: the physical-address bits. */
    public static final long PTE_PFN_MASK = 0x000ffffffffff000L;

    private Pte() {
    }

    /**
     * {@code vm_get_page_prot}: the protection bits of a vma's PTEs (x86's
     * {@code protection_map}). No access is {@code PAGE_NONE}; anything else is present and
     * user, and writable only in a shared writable vma: a private one is copy on write
     * ({@code PAGE_COPY}), so its PTEs stay read-only until a write fault makes them writable
     * ({@link #mkWrite}).
     */
    public static long vmGetPageProt(long vmFlags) {
        if ((vmFlags & VmFlags.VM_ACCESS_FLAGS) == 0) {
            return _PAGE_PROTNONE | _PAGE_ACCESSED;
        }
        long prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
        if ((vmFlags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) {
            prot |= _PAGE_RW;
        }
        return prot;
    }

    /** {@code mk_pte(page, prot)}: the page's frame with the protection bits {@code prot}. */
    public static long mkPte(Page page, long prot) {
        return (page.pfn() << MemMap.PAGE_SHIFT) | prot;
    }

    /**
     * {@code pte_modify(pte, prot)}: the same frame, accessed and dirty bits, with the protection
     * bits {@code prot} ({@code change_pte_range}).
     */
    public static long modify(long pte, long prot) {
        return (pte & (PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY)) | prot;
    }

    /** {@code pte_mkwrite(pte_mkdirty(pte))}: what a write fault makes of the entry. */
    public static long mkWrite(long pte) {
        return pte | _PAGE_RW | _PAGE_DIRTY;
    }

    /** {@code pte_write}. */
    public static boolean write(long pte) {
        return (pte & _PAGE_RW) != 0;
    }

    /** {@code pte_pfn}. */
    public static long pfn(long pte) {
        return (pte & PTE_PFN_MASK) >>> MemMap.PAGE_SHIFT;
    }

    /** {@code pte_none}. */
    public static boolean none(long pte) {
        return pte == 0;
    }

    /** The value of an upper entry pointing at {@code table} ({@code pmd_val} after populate). */
    public static long tableEntry(PageTable table) {
        return table.physAddress() | _PAGE_TABLE;
    }
}
