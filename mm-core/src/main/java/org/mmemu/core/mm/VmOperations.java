package org.mmemu.core.mm;

/**
 * {@code struct vm_operations_struct}: what a driver (a BPF map, a device) does when one of its
 * vmas is copied or goes away. The driver sets it from its file's {@code ->mmap} with
 * {@link Vma#setVmOps}.
 *
 * <ul>
 *   <li>{@link #open}: a new vma maps the driver's memory: the part a split cuts off
 *       ({@code __split_vma}) and the child's copy at fork ({@code dup_mmap}). The vma the
 *       driver's own {@code ->mmap} set up is not opened.</li>
 *   <li>{@link #close}: a vma goes ({@code remove_vma}, at munmap and exit), after its pages
 *       were unmapped and before its file reference is dropped.</li>
 * </ul>
 *
 * Mappings have no {@code ->fault}: a driver maps every page up front ({@code vm_insert_page},
 * {@code remap_vmalloc_range}).
 */
public interface VmOperations {
    /**
     * {@code vma_dummy_vm_ops}: what {@code vma_init} gives every vma before the driver's
     * {@code ->mmap} runs, so that {@code vma_is_anonymous} is false for it.
     */
    VmOperations DUMMY = new VmOperations() {
        @Override
        public String toString() {
            return "vma_dummy_vm_ops";
        }
    };

    /** {@code ->open}: {@code vma} is a new mapping of the driver's memory. */
    default void open(Vma vma) {
    }

    /** {@code ->close}: {@code vma} is going away. */
    default void close(Vma vma) {
    }
}
