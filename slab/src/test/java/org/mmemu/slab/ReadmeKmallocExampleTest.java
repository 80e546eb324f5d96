package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/** README.md's "kmalloc in a test" example, as printed there. */
class ReadmeKmallocExampleTest {
    @RegisterExtension
    static final MachineExtension MACHINE = MachineExtension.builder()
            .modules(new SlabModule(SlabConfig.SLUB_DEBUG)).build();

    @Test
    void aDoubleFreeIsReported(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(64, GFP_KERNEL);        // an address in the direct map
        assertThat(kmalloc.ksize(x)).isEqualTo(64);
        assertThat(m.get(SlabCaches.class).cacheOf(m.memMap().virtToPage(x)).name()).isEqualTo("kmalloc-64");
        kmalloc.kfree(x);
        kmalloc.kfree(x);
        assertThat(m.log().dmesg()).contains("BUG kmalloc-64 (Not tainted): Object already free");
    }
}
