package org.mmemu.core.mm;

import org.mmemu.core.page.MemMap;

/**
 * The shape of an architecture's page tables: how many levels there are, how many address bits
 * each level's index takes and how many entries its tables hold. Level 0 holds the PTEs; the
 * highest level is the pgd. Folded levels (x86-64's p4d with 4-level paging) are left out.
 *
 * <pre>
 *  x86-64, 4 levels      level  name  shift  entries  one table maps
 *                        3      pgd   39     512      256 TiB
 *                        2      pud   30     512      512 GiB
 *                        1      pmd   21     512      1 GiB
 *                        0      pte   12     512      2 MiB
 * </pre>
 */
public final class PageTableGeometry {
    /** x86-64 with 4-level paging; user space below {@code TASK_SIZE_MAX} (47 bits, minus a page). */
    public static final PageTableGeometry X86_64 = new PageTableGeometry(
            new int[] {12, 21, 30, 39}, new int[] {512, 512, 512, 512}, (1L << 47) - MemMap.PAGE_SIZE);

    /** {@code sizeof(pte_t)}, {@code sizeof(pmd_t)}, ...: every entry is a 64-bit word. */
    public static final int ENTRY_BYTES = 8;

    private final int[] shifts;
    private final int[] entries;
    private final long taskSize;

    /**
     * @param shifts the address shift of each level's index, level 0 first (level 0 must be
     *     {@link MemMap#PAGE_SHIFT})
     * @param entries the entries of each level's tables, a power of two each
     * @param taskSize {@code TASK_SIZE}: the end of user space
     */
    public PageTableGeometry(int[] shifts, int[] entries, long taskSize) {
        if (shifts.length == 0 || shifts.length != entries.length || shifts[0] != MemMap.PAGE_SHIFT) {
            throw new IllegalArgumentException("need one shift and entry count per level, level 0 at"
                    + " PAGE_SHIFT");
        }
        for (int i = 0; i < entries.length; i++) {
            if (Integer.bitCount(entries[i]) != 1) {
                throw new IllegalArgumentException("level " + i + " entries must be a power of two");
            }
        }
        this.shifts = shifts.clone();
        this.entries = entries.clone();
        this.taskSize = taskSize;
    }

    /** The number of levels ({@code CONFIG_PGTABLE_LEVELS} minus folded ones). */
    public int levels() {
        return shifts.length;
    }

    /** The pgd's level. */
    public int top() {
        return shifts.length - 1;
    }

    /** {@code PAGE_SHIFT}, {@code PMD_SHIFT}, ...: the address bits below this level's index. */
    public int shift(int level) {
        return shifts[level];
    }

    /** {@code PTRS_PER_PTE}, {@code PTRS_PER_PMD}, ...: entries in a table of this level. */
    public int entries(int level) {
        return entries[level];
    }

    /** The bytes one table of this level (not the pgd) maps: {@code PMD_SIZE} for a PTE table. */
    public long tableSpan(int level) {
        return (long) entries[level] << shifts[level];
    }

    /** {@code pte_index}, {@code pmd_index}, ...: the entry of this level covering {@code addr}. */
    public int index(long addr, int level) {
        return (int) ((addr >>> shifts[level]) & (entries[level] - 1));
    }

    /** The bytes a table of this level occupies ({@code mm_inc_nr_ptes} counts them). */
    public long tableBytes(int level) {
        return (long) entries[level] * ENTRY_BYTES;
    }

    /** {@code TASK_SIZE}: user addresses are below it. */
    public long taskSize() {
        return taskSize;
    }
}
