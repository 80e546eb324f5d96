package org.mmemu.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.core.Errno;

/** round_pipe_size and too_many_pipe_buffers_* of 4.8 and of 4.14 on. */
class PipeLimitsTest {
    @ParameterizedTest
    @CsvSource({"0,0", "1,4096", "4096,4096", "4097,8192", "12289,16384", "1048576,1048576", "4294967295,0"})
    void fourEightRoundsPagesToAPowerOfTwo(long size, long rounded) {
        assertThat(PipeLimits.CHECK_FIRST.roundPipeSize(size)).isEqualTo(rounded);
    }

    @ParameterizedTest
    @CsvSource({"0,4096", "1,4096", "4097,8192", "12289,16384", "2147483648,2147483648", "2147483649,0"})
    void fromFourFourteenBytesRoundToAPowerOfTwoOfAtLeastAPage(long size, long rounded) {
        assertThat(PipeLimits.ACCOUNT_FIRST.roundPipeSize(size)).isEqualTo(rounded);
    }

    @Test
    void aUserAtTheLimitIsOverItOnlyIn48() {
        assertThat(PipeLimits.CHECK_FIRST.tooMany(16, 16)).isTrue();
        assertThat(PipeLimits.ACCOUNT_FIRST.tooMany(16, 16)).isFalse();
        assertThat(PipeLimits.ACCOUNT_FIRST.tooMany(17, 16)).isTrue();
        assertThat(PipeLimits.CHECK_FIRST.tooMany(1 << 20, 0)).as("0 is no limit").isFalse();
    }

    @Test
    void pipeMaxSizeIsRoundedAsFSetpipeSzRounds() {
        PipeSysctl sysctl = new PipeSysctl(PipeConfig.V4_8);
        assertThat(sysctl.maxSize()).isEqualTo(1048576);

        assertThat(sysctl.setMaxSize(5000)).isZero();
        assertThat(sysctl.maxSize()).isEqualTo(8192);
        assertThat(sysctl.setMaxSize(0)).isEqualTo(Errno.EINVAL.negative());
        assertThat(sysctl.maxSize()).isEqualTo(8192);
    }
}
