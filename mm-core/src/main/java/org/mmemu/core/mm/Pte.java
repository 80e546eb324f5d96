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
    /** {@code _PAGE_TABLE}: how an upper entry points at the table below (pmd_populate). */
    public static final long _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED
            | _PAGE_DIRTY;
    /** {@code PTE_PFN_MASK}: the physical-address bits. */
    public static final long PTE_PFN_MASK = 0x000ffffffffff000L;

    private Pte() {
    }

    /** {@code mk_pte(page, vma->vm_page_prot)}: present, user, writable if the vma is. */
    public static long mkPte(Page page, long vmFlags) {
        long prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
        if ((vmFlags & VmFlags.VM_WRITE) != 0) {
            prot |= _PAGE_RW;
        }
        return (page.pfn() << MemMap.PAGE_SHIFT) | prot;
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
