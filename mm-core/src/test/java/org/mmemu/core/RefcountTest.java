package org.mmemu.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** refcount_t: one at birth, the last put says so, and misuse after zero is a bug. */
class RefcountTest {
    private final Refcount ref = new Refcount("thing");

    @Test
    void theLastPutIsTheOneThatReachesZero() {
        ref.get();
        assertThat(ref.read()).isEqualTo(2);
        assertThat(ref.put()).isFalse();
        assertThat(ref.put()).isTrue();
        assertThat(ref.read()).isZero();
    }

    @Test
    void aGetOrPutAfterZeroIsAKernelBugAndChangesNothing() {
        ref.put();
        assertThatThrownBy(ref::get).isInstanceOf(KernelBug.class).hasMessageContaining("thing")
                .hasMessageContaining("use after free");
        assertThatThrownBy(ref::put).isInstanceOf(KernelBug.class).hasMessageContaining("underflow");
        assertThat(ref.read()).isZero();
    }
}
