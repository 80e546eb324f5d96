package org.mmemu.core.mm;

/**
 * The {@code mmap} and {@code mprotect} arguments of include/uapi/asm-generic/mman-common.h and
 * mman.h, and {@code calc_vm_prot_bits}, which turns {@code PROT_*} into {@code VM_*}.
 */
@SuppressWarnings("checkstyle:ConstantName")
public final class Mman {
    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    /** {@code PROT_SEM}: accepted and ignored, as {@code arch_validate_prot} does. */
    public static final int PROT_SEM = 0x8;

    /** {@code MAP_SHARED}: writes reach the object, other mappings see them. */
    public static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}: copy on write. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_SHARED_VALIDATE}: {@link #MAP_SHARED} that refuses unknown flags. */
    public static final int MAP_SHARED_VALIDATE = 0x03;
    /** {@code MAP_TYPE}: the bits that hold one of the three types. */
    public static final int MAP_TYPE = 0x0f;

    private Mman() {
    }

    /** {@code calc_vm_prot_bits}: {@code VM_READ}, {@code VM_WRITE}, {@code VM_EXEC} of {@code prot}. */
    public static long calcVmProtBits(int prot) {
        return prot & VmFlags.VM_ACCESS_FLAGS;
    }
}
