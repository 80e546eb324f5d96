package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.KernelBug;

/** The reactions the catalogue asserts: the kernel's errno and the kernel's BUG. */
final class Misuses {
    private Misuses() {
    }

    /** {@code call} fails with {@code errno} ({@link ErrnoException}). */
    static void assertErrno(Errno errno, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(errno));
    }

    /** {@code ret}, a kernel function's return, is {@code -errno}. */
    static void assertReturns(Errno errno, long ret) {
        assertThat(ret).as("the return").isEqualTo(errno.negative());
    }

    /** {@code call} hits a BUG whose message contains {@code condition}. */
    static void assertBug(String condition, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(KernelBug.class).hasMessageContaining(condition);
    }
}
