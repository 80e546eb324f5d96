package org.mmemu.core.maccess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.vmalloc.Vmalloc;

/** Kernel virtual addresses: the direct map and vmalloc areas, across pages, and their faults. */
class KernelMemoryTest {
    private static final int PAGE = MemMap.PAGE_SIZE;

    private final Machine m = Machine.boot();
    private final KernelMemory kmem = m.injector.getInstance(KernelMemory.class);
    private final Vmalloc vmalloc = m.injector.getInstance(Vmalloc.class);

    @AfterEach
    void consistent() {
        assertThat(m.consistencyViolations()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aDirectMapWriteLandsInThePagesPageAddressNames() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 1);
        long addr = MemMap.pageAddress(head) + PAGE - 3;
        kmem.write(addr, bytes("across"), 0, 6);

        assertThat(m.ram.readByte(head.pfn(), PAGE - 3)).isEqualTo((byte) 'a');
        assertThat(m.ram.readByte(head.pfn() + 1, 2)).as("the next page's first bytes").isEqualTo((byte) 's');
        assertThat(kmem.read(addr, 6)).isEqualTo(bytes("across"));
        assertThat(kmem.virtToPfn(addr + 3)).isEqualTo(head.pfn() + 1);
        m.refs.putPage(head);
    }

    @Test
    void vmallocAddressesReachTheAreasPagesInOrder() {
        long area = vmalloc.vmalloc(3L * PAGE);
        kmem.memset(area + 10, 'x', 2L * PAGE);
        Page second = vmalloc.vmallocToPage(area + PAGE);
        assertThat(m.ram.readByte(second.pfn(), 0)).isEqualTo((byte) 'x');
        assertThat(kmem.read(area + 2L * PAGE + 9, 2)).isEqualTo(new byte[] {'x', PhysicalMemory.PAGE_POISON});
        assertThat(kmem.read(area, 1)).as("vmalloc without __GFP_ZERO").containsExactly(PhysicalMemory.PAGE_POISON);
        vmalloc.vfree(area);
    }

    @Test
    void vmallocUserIsZeroed() {
        long area = vmalloc.vmallocUser(2L * PAGE);
        assertThat(kmem.read(area, 2 * PAGE)).isEqualTo(new byte[2 * PAGE]);
        vmalloc.vfree(area);
    }

    @Test
    void theGuardPageOopsAndNofaultAccessReturnsEfault() {
        long area = vmalloc.vmalloc(PAGE);
        assertThatThrownBy(() -> kmem.write(area + PAGE - 1, new byte[2], 0, 2))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining(String.format("unable to handle page fault for address: %016x", area + PAGE))
                .hasMessageContaining("supervisor write access in kernel mode");
        assertThat(kmem.read(area + PAGE - 1, 1)).as("the piece before the fault was written").containsExactly(0);

        byte[] dst = new byte[4];
        assertThat(kmem.copyFromKernelNofault(dst, 0, area + PAGE - 2, 4)).isEqualTo(Errno.EFAULT.negative());
        assertThat(kmem.copyToKernelNofault(MemMap.KOBJ_START, dst, 0, 1)).isEqualTo(Errno.EFAULT.negative());
        assertThat(kmem.copyFromKernelNofault(dst, 0, area, 4)).isZero();
        vmalloc.vfree(area);
        assertThat(kmem.copyFromKernelNofault(dst, 0, area, 4)).as("after vfree").isEqualTo(Errno.EFAULT.negative());
    }

    @Test
    void addressesOutsideTheDirectMapAndVmallocHaveNoFrame() {
        assertThat(kmem.virtToPfn(MemMap.PAGE_OFFSET + ((long) m.memMap.nrPages() << MemMap.PAGE_SHIFT))).isEqualTo(-1);
        assertThat(kmem.virtToPfn(0x400000L)).isEqualTo(-1);
        assertThat(kmem.virtToPfn(MemMap.PAGE_OFFSET - 1)).isEqualTo(-1);
        assertThatThrownBy(() -> kmem.read(0x1000L, 1))
                .isInstanceOf(KernelBug.class).hasMessageContaining("supervisor read access");
    }

    @Test
    void clearPageAndCopyPageBetweenTheDirectMapAndVmalloc() {
        long page = m.alloc.getFreePages(GFP_KERNEL, 0);
        long area = vmalloc.vmalloc(2L * PAGE);
        kmem.write(area + 5, bytes("hello"), 0, 5);
        kmem.copyPage(page, area);
        assertThat(kmem.read(page + 5, 5)).isEqualTo(bytes("hello"));

        kmem.memcpy(area + PAGE - 2, page + 5, 5);
        assertThat(kmem.read(area + PAGE - 2, 5)).isEqualTo(bytes("hello"));

        kmem.clearPage(page);
        assertThat(kmem.read(page, PAGE)).isEqualTo(new byte[PAGE]);
        assertThat(m.ram.hasArray(m.memMap.virtToPage(page).pfn())).as("clear_page needs no array").isFalse();
        vmalloc.vfree(area);
        m.alloc.freePages(page, 0);
    }

    @Test
    void aLargeCopyThroughTheDirectMapMatchesPageByPage() {
        Page head = m.alloc.allocPages(GFP_KERNEL | __GFP_COMP, 2);
        byte[] src = new byte[3 * PAGE + 100];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i * 31);
        }
        long addr = MemMap.pageAddress(head) + 50;
        kmem.write(addr, src, 0, src.length);
        byte[] back = new byte[src.length + 4];
        kmem.read(addr - 2, back, 0, back.length);
        assertThat(Arrays.copyOfRange(back, 2, 2 + src.length)).isEqualTo(src);
        assertThat(back[0]).isEqualTo(PhysicalMemory.PAGE_POISON);
        m.refs.putPage(head);
    }
}
