package org.mmemu.slab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/** The kmalloc size classes, kfree, ksize and kmalloc_large. */
class KmallocTest {
    @RegisterExtension
    static final MachineExtension MACHINE = MachineExtension.builder().modules(new SlabModule()).build();

    @ParameterizedTest
    @CsvSource({"1,3,8", "8,3,8", "9,4,16", "24,5,32", "33,6,64", "65,1,96", "96,1,96", "97,7,128",
        "129,2,192", "192,2,192", "193,8,256", "513,10,1024", "4097,13,8192", "8192,13,8192"})
    void sizesGoToTheirClass(int size, int index, int classSize, TestMachine m) {
        assertThat(Kmalloc.kmallocIndex(size)).isEqualTo(index);
        long x = m.get(Kmalloc.class).kmalloc(size, GFP_KERNEL);
        assertThat(m.get(Kmalloc.class).ksize(x)).isEqualTo(classSize);
        m.get(Kmalloc.class).kfree(x);
    }

    @Test
    void theCachesHaveTheKernelsLayouts(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        assertThat(kmalloc.kmallocSlab(8).objects()).isEqualTo(512);
        assertThat(kmalloc.kmallocSlab(96).objects()).isEqualTo(42);
        assertThat(kmalloc.kmallocSlab(192).objects()).isEqualTo(21);
        assertThat(kmalloc.kmallocSlab(1024).order()).as("16 objects for 4 CPUs").isEqualTo(2);
        assertThat(kmalloc.kmallocSlab(8192).order()).isEqualTo(3);
        assertThat(kmalloc.kmallocSlab(8192).objects()).isEqualTo(4);
    }

    @Test
    void zeroBytesIsTheZeroSizePointer(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        assertThat(kmalloc.kmalloc(0, GFP_KERNEL)).isEqualTo(Kmalloc.ZERO_SIZE_PTR);
        assertThat(kmalloc.ksize(Kmalloc.ZERO_SIZE_PTR)).isZero();
        kmalloc.kfree(Kmalloc.ZERO_SIZE_PTR);
        kmalloc.kfree(0);
    }

    @Test
    void kzallocZeroes(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(200, GFP_KERNEL);
        m.kernelMemory().memset(x, 0xff, 200);
        kmalloc.kfree(x);
        long y = kmalloc.kzalloc(200, GFP_KERNEL);
        assertThat(y).isEqualTo(x);
        assertThat(m.kernelMemory().read(y, 200)).containsOnly(0);
        kmalloc.kfree(y);
    }

    @Test
    void kmallocLargeIsACompoundBlockFreedByKfree(TestMachine m) {
        Kmalloc kmalloc = m.get(Kmalloc.class);
        long x = kmalloc.kmalloc(8193, GFP_KERNEL);
        Page head = m.memMap().virtToPage(x);
        assertThat(head.testFlag(PageFlags.PG_head)).isTrue();
        assertThat(m.get(SlabCaches.class).isSlab(head)).isFalse();
        assertThat(kmalloc.ksize(x + 4096)).isEqualTo(4 * 4096);
        kmalloc.kfree(x + 4096);
        assertThat(m.isFree(head)).isTrue();
    }

    @Test
    void kfreeOfAPlainPageIsABug(TestMachine m) {
        long page = m.alloc().getFreePages(GFP_KERNEL, 0);
        assertThatThrownBy(() -> m.get(Kmalloc.class).kfree(page)).isInstanceOf(KernelBug.class)
                .hasMessageContaining("kernel BUG at mm/slub.c");
        m.alloc().freePages(page, 0);
    }
}
