package org.mmemu.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Errno numbers: the kernel's values, and numbers the emulator has not named. */
class ErrnoTest {

    @Test
    void namedErrnosCarryTheKernelsNumbers() {
        assertThat(Errno.EPERM.value()).isEqualTo(1);
        assertThat(Errno.E2BIG.value()).isEqualTo(7);
        assertThat(Errno.EAGAIN.value()).isEqualTo(11);
        assertThat(Errno.EFBIG.value()).isEqualTo(27);
        assertThat(Errno.EPIPE.value()).isEqualTo(32);
        assertThat(Errno.EOVERFLOW.value()).isEqualTo(75);
        assertThat(Errno.EMSGSIZE.value()).isEqualTo(90);
        assertThat(Errno.EOPNOTSUPP.value()).isEqualTo(95);
        assertThat(Errno.ENOBUFS.value()).isEqualTo(105);
        assertThat(Errno.ENOTCONN.value()).isEqualTo(107);
        assertThat(Errno.ECONNREFUSED.value()).isEqualTo(111);
        assertThat(Errno.ENOTSUPP.value()).isEqualTo(524);
    }

    @Test
    void aKernelReturnValueMapsBackToItsNamedConstant() {
        assertThat(Errno.fromNegative(-22)).isSameAs(Errno.EINVAL);
        assertThat(Errno.fromNegative(Errno.ENOTSUPP.negative())).isSameAs(Errno.ENOTSUPP);
        assertThat(Errno.named()).extracting(Errno::value).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void anUnnamedNumberIsStillAnErrno() {
        Errno e = Errno.fromNegative(-133);
        assertThat(e.value()).isEqualTo(133);
        assertThat(e.negative()).isEqualTo(-133);
        assertThat(e.name()).isEqualTo("E133");
        assertThat(e.isNamed()).isFalse();
        assertThat(e).isEqualTo(Errno.of(133)).hasSameHashCodeAs(Errno.of(133));
        assertThat(new ErrnoException(e, "ioctl").getMessage()).isEqualTo("E133: ioctl");
    }

    @Test
    void aNonNegativeReturnIsNoError() {
        assertThatThrownBy(() -> Errno.fromNegative(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a negative errno: 0");
        assertThatThrownBy(() -> Errno.of(-5)).isInstanceOf(IllegalArgumentException.class);
    }
}
