package org.mmemu.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The machine's size: memparse and the limits. */
class MemoryConfigTest {

    @Test
    void memparseTakesTheKernelsSuffixesInEitherCase() {
        assertThat(MemoryConfig.memparse("4096")).isEqualTo(4096);
        assertThat(MemoryConfig.memparse("512K")).isEqualTo(512L << 10);
        assertThat(MemoryConfig.memparse("64M")).isEqualTo(64L << 20);
        assertThat(MemoryConfig.memparse("64m")).isEqualTo(64L << 20);
        assertThat(MemoryConfig.memparse("1g")).isEqualTo(1L << 30);
        assertThat(MemoryConfig.memparse("16G")).isEqualTo(16L << 30);
        assertThat(MemoryConfig.memparse("2T")).isEqualTo(2L << 40);
        assertThat(MemoryConfig.memparse(" 64M ")).isEqualTo(64L << 20);
    }

    @Test
    void memparseTakesHex() {
        assertThat(MemoryConfig.memparse("0x1000")).isEqualTo(4096);
        assertThat(MemoryConfig.memparse("0X10M")).isEqualTo(16L << 20);
        assertThat(MemoryConfig.memparse("0xE")).as("E is a hex digit here, not a suffix").isEqualTo(14);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "M", "abc", "64X", "64 M", "-1", "-1M", "0x", "0xG", "1.5G",
        "9999999999999999999", "99999999999T"})
    void memparseRefusesAnythingElse(String text) {
        assertThatThrownBy(() -> MemoryConfig.memparse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aConfigHasPagesAndCpus() {
        MemoryConfig c = MemoryConfig.of("64M");
        assertThat(c.bytes()).isEqualTo(64L << 20);
        assertThat(c.nrPages()).isEqualTo(16384);
        assertThat(c.cpus()).isEqualTo(MemoryConfig.DEFAULT_CPUS);
        MemoryConfig two = c.withCpus(2);
        assertThat(two.cpus()).isEqualTo(2);
        assertThat(c.cpus()).as("immutable").isEqualTo(4);
        assertThat(two).hasToString("64M, 2 CPUs");
        assertThat(MemoryConfig.of("16G").nrPages()).isEqualTo(4 << 20);
    }

    @Test
    void sizesAndCpuCountsOutsideTheLimitsAreRefused() {
        assertThatThrownBy(() -> MemoryConfig.of("1M")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory size 1M is below the minimum, 4M (one largest buddy block)");
        assertThatThrownBy(() -> MemoryConfig.of("0")).hasMessageStartingWith("memory size 0 is below the minimum");
        assertThatThrownBy(() -> MemoryConfig.of("8T")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("memory size 8T is above the maximum, 4T");
        assertThatThrownBy(() -> MemoryConfig.of("4194305")).as("not whole pages")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory size 4194305 is not a whole number of 4096-byte pages");
        assertThatThrownBy(() -> MemoryConfig.of("64M").withCpus(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryConfig.of("64M").withCpus(1025)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MemoryConfig.of("4M").nrPages()).isEqualTo(1024);
        assertThat(MemoryConfig.of("4T").nrPages()).isEqualTo(1 << 30);
    }

    @Test
    void theMachineHasTheConfiguredSize() {
        Machine m = Machine.boot(MemoryConfig.of("8M").withCpus(1));
        assertThat(m.memMap.nrPages()).isEqualTo(2048);
        assertThat(m.alloc.nrFreePages()).isEqualTo(2048);
        assertThat(m.cpus.nrCpus()).isEqualTo(1);
        assertThat(m.leakedPages()).isZero();
    }
}
