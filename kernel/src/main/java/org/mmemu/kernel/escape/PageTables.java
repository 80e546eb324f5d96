package org.mmemu.kernel.escape;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.VmFlags;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.Page;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.KernelConfig;
import org.mmemu.kernel.Task;

/**
 * User page tables, on one architecture: the process touches one page in every range a PTE
 * table maps (2 MiB on x86-64, 1 MiB on s390), so each touch allocates a PTE table (and, now
 * and then, a table above it) and nothing else, as read faults on a large anonymous mapping do
 * when they map the shared zero page ({@code do_anonymous_page}). The facade has no anonymous
 * mmap and mm-core no zero page, so one page the kernel allocates beforehand stands in for the
 * zero page, mapped with {@code vm_insert_page} into one large vma of the process's mm, in its
 * context ({@link Kernel#enter}): the tables come from the architecture's page-table allocator
 * with its era's gfp.
 */
final class PageTables implements EscapePath {
    private final String name;
    private final Arch arch;
    private final KernelChange closedBy;

    private PageTables(String name, Arch arch, KernelChange closedBy) {
        this.name = name;
        this.arch = arch;
        this.closedBy = closedBy;
    }

    /** x86-64's four levels, {@code PGALLOC_GFP} accounted from 4.8. */
    static PageTables x86() {
        return new PageTables("x86-pgtables", Arch.GENERIC, new KernelChange(KernelRelease.V4_8, "3e79ec7ddc33",
                "arch: x86: charge page tables to kmemcg",
                "arch/x86/mm/pgtable.c PGALLOC_GFP: GFP_KERNEL | __GFP_NOTRACK | __GFP_REPEAT | __GFP_ZERO in 4.6.2,"
                        + " GFP_KERNEL_ACCOUNT | __GFP_NOTRACK | __GFP_ZERO in 4.8.15 (pte_alloc_one, pmd/pud/pgd_alloc);"
                        + " GFP_PGTABLE_USER from 5.9"));
    }

    /**
     * s390's CRST tables and 2K PTE fragments ({@code Arch.S390}), accounted only from 6.18, after
     * the kernel the latest era models (6.13).
     */
    static PageTables s390() {
        return new PageTables("s390-pgtables", Arch.S390, new KernelChange("6.18", "5671ce2a1fc6",
                "s390/mm: Use __GFP_ACCOUNT for user page table allocations",
                "arch/s390/mm/pgalloc.c crst_table_alloc and page_table_alloc: GFP_KERNEL in 4.8.15 and in 6.13, the"
                        + " latest era's kernel (pagetable_alloc(GFP_KERNEL, ...)), unlike x86 since 3e79ec7ddc33;"
                        + " GFP_KERNEL_ACCOUNT, but for init_mm's tables, from 6.18, and in 6.17.y and 6.12.y stable"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "touches one page per PTE table's span (read faults mapping the zero page; a kernel page mapped with"
                + " vm_insert_page stands in for it) on " + (arch == Arch.S390 ? "an s390" : "an x86-64") + " machine,"
                + " so that every touch allocates page tables only";
    }

    @Override
    public KernelChange closedBy() {
        return closedBy;
    }

    @Override
    public KernelConfig configure(KernelConfig base) {
        return base.arch(arch);
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        return new Toucher(kernel, task);
    }

    /** Maps the stand-in zero page a PTE table's span apart. */
    private static final class Toucher implements PathDrive {
        /** Room for every step a budget allows: the vma only reserves addresses. */
        private static final long VMA_TABLES = 1 << 20;

        private final Kernel kernel;
        private final Task task;
        private final MemoryMapping memory;
        private final Page zeroPage;
        private final Vma vma;
        private final long span;
        private long next;

        Toucher(Kernel kernel, Task task) {
            this.kernel = kernel;
            this.task = task;
            this.memory = kernel.get(MemoryMapping.class);
            this.span = memory.geometry().tableSpan(0);
            MmStruct mm = task.taskStruct().mm();
            long len = Math.min(VMA_TABLES * span, memory.geometry().taskSize() / 2);
            long start = kernel.get(AddressSpaces.class).mmapSpecial(mm, 0, len, VmFlags.VM_READ | VmFlags.VM_MAYREAD);
            if (start < 0) {
                throw new ErrnoException(Errno.fromNegative((int) start), "mmap of the page-table range by " + task);
            }
            this.vma = mm.vmaLookup(start);
            this.next = (start + span - 1) / span * span;
            this.zeroPage = kernel.get(PageAllocator.class).allocPage(GFP_KERNEL);
            if (zeroPage == null) {
                throw new ErrnoException(Errno.ENOMEM, "the stand-in zero page");
            }
        }

        @Override
        public void step() {
            int ret;
            try (var running = kernel.enter(task)) {
                ret = next < vma.end() ? memory.vmInsertPage(vma, next, zeroPage) : Errno.ENOMEM.negative();
            }
            if (ret < 0) {
                throw new ErrnoException(Errno.fromNegative(ret), "fault at 0x" + Long.toHexString(next) + " by " + task);
            }
            next += span;
        }

        @Override
        public void release() {
            kernel.get(PageRefs.class).putPage(zeroPage);
        }
    }
}
