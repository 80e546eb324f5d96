package org.mmemu.core.mm;

/**
 * {@code vm_area_struct->vm_flags} bits (include/linux/mm.h, values of 5.10 and 6.x) that the
 * emulated paths set or test.
 */
@SuppressWarnings("checkstyle:ConstantName")
public final class VmFlags {
    public static final long VM_NONE = 0;
    public static final long VM_READ = 0x00000001L;
    public static final long VM_WRITE = 0x00000002L;
    public static final long VM_EXEC = 0x00000004L;
    public static final long VM_SHARED = 0x00000008L;
    public static final long VM_MAYREAD = 0x00000010L;
    public static final long VM_MAYWRITE = 0x00000020L;
    public static final long VM_MAYEXEC = 0x00000040L;
    public static final long VM_MAYSHARE = 0x00000080L;
    /** {@code VM_ACCESS_FLAGS}: the permissions mprotect sets. */
    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
    /** Page ranges are raw pfns without struct pages ({@code remap_pfn_range}). */
    public static final long VM_PFNMAP = 0x00000400L;
    public static final long VM_LOCKED = 0x00002000L;
    public static final long VM_IO = 0x00004000L;
    public static final long VM_DONTCOPY = 0x00020000L;
    /** Cannot be expanded with mremap ({@code remap_vmalloc_range} sets it). */
    public static final long VM_DONTEXPAND = 0x00040000L;
    /** Lock the pages as they are faulted in ({@code mlock2(MLOCK_ONFAULT)}). */
    public static final long VM_LOCKONFAULT = 0x00080000L;
    public static final long VM_ACCOUNT = 0x00100000L;
    public static final long VM_NORESERVE = 0x00200000L;
    /** Not included in core dumps ({@code remap_vmalloc_range} sets it). */
    public static final long VM_DONTDUMP = 0x04000000L;
    /** May hold both pfns and struct pages ({@code vm_insert_page} sets it). */
    public static final long VM_MIXEDMAP = 0x10000000L;

    private VmFlags() {
    }
}
