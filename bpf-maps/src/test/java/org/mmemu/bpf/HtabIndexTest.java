package org.mmemu.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link HtabIndex} against a {@link HashMap} under random puts, replacements and removes. */
class HtabIndexTest {
    @Test
    void randomOperationsAgreeWithAHashMap() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        HtabIndex index = new HtabIndex();
        Map<ByteBuffer, Long> model = new HashMap<>();
        for (int op = 0; op < 20_000; op++) {
            byte[] key = new byte[] {(byte) random.nextInt(40), (byte) random.nextInt(8)};
            ByteBuffer k = ByteBuffer.wrap(key.clone());
            long elem = 8L * (op + 1);
            if (random.nextInt(3) == 0) {
                Long old = model.remove(k);
                assertThat(index.remove(key)).as("seed %d op %d", seed, op).isEqualTo(old == null ? 0 : old);
            } else {
                Long old = model.put(k, elem);
                assertThat(index.put(key.clone(), elem)).as("seed %d op %d", seed, op).isEqualTo(old == null ? 0 : old);
            }
            assertThat(index.size()).as("seed %d", seed).isEqualTo(model.size());
        }
        model.forEach((k, v) -> assertThat(index.get(k.array())).as("seed %d", seed).isEqualTo(v));
        assertThat(index.elements()).as("seed %d", seed).containsExactlyInAnyOrder(model.values().stream().mapToLong(Long::longValue).toArray());
        index.clear();
        assertThat(index.size()).isZero();
    }
}
