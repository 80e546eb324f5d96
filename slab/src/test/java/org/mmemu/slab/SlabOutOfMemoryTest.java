package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.testing.junit.TestMachine;

/** When the page allocator has no slab left to give, kmalloc returns NULL and nothing is lost. */
class SlabOutOfMemoryTest {
    @Test
    void kmallocFailsWhenNoSlabPageIsLeftAndRecovers() {
        TestMachine m = TestMachine.boot(MemoryConfig.of("16M"), new SlabModule());
        Kmalloc kmalloc = m.get(Kmalloc.class);
        List<Long> objects = new ArrayList<>();
        long x;
        while ((x = kmalloc.kmalloc(8192, GFP_KERNEL | __GFP_NOWARN)) != 0) {
            objects.add(x);
        }
        assertThat(objects).hasSizeGreaterThan(1000);
        assertThat(m.problems()).isEmpty();
        objects.forEach(kmalloc::kfree);
        assertThat(kmalloc.kmalloc(8192, GFP_KERNEL)).as("the memory came back").isNotZero();
        m.verify();
    }
}
