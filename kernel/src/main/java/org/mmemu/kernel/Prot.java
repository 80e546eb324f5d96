package org.mmemu.kernel;

import org.mmemu.core.mm.Mman;

/** The {@code PROT_*} bits of {@link Task#mmap} and {@link Task#mprotect}, with the kernel's values. */
public final class Prot {
    /** {@code PROT_NONE}: no access. */
    public static final int NONE = Mman.PROT_NONE;
    /** {@code PROT_READ}. */
    public static final int READ = Mman.PROT_READ;
    /** {@code PROT_WRITE}. */
    public static final int WRITE = Mman.PROT_WRITE;

    private Prot() {
    }
}
