package org.mmemu.core;

/**
 * A {@code BUG()}/{@code VM_BUG_ON*()} the emulated kernel hit: the equivalent of an oops. The
 * message carries the failed condition and, for page checks, the dump_page text, so the test
 * that provoked it reads what the kernel would have printed.
 */
public final class KernelBug extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KernelBug(String message) {
        super(message);
    }
}
