package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.Mman.MAP_SHARED;
import static org.mmemu.core.mm.Mman.PROT_READ;
import static org.mmemu.core.mm.Mman.PROT_WRITE;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.fs.File;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Tasks;
import org.mmemu.core.testing.VmallocDriver;
import org.mmemu.core.vmalloc.Vmalloc;

/** {@code copy_to_user} / {@code copy_from_user} / {@code clear_user} through a task's page tables. */
class UserCopyTest {
    private static final int PAGE = MemMap.PAGE_SIZE;
    private static final long BASE = 0x10000000L;

    private final Machine m = Machine.boot();
    private final AddressSpaces spaces = m.injector.getInstance(AddressSpaces.class);
    private final MemoryMapping memory = m.injector.getInstance(MemoryMapping.class);
    private final UserCopy uaccess = m.injector.getInstance(UserCopy.class);
    private final MmStruct mm = spaces.mmAlloc();
    private final Tasks.TaskScope current = m.tasks.enter(m.tasks.create("user", mm));

    @AfterEach
    void teardown() {
        current.close();
        spaces.mmput(mm);
        assertThat(m.log.dmesg()).doesNotContain("BUG");
        assertThat(m.consistencyViolations()).isEmpty();
        assertThat(m.leakedPages()).isZero();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private Vma anon(long addr, int pages, long flags) {
        assertThat(spaces.mmapAnonymous(mm, addr, (long) pages * PAGE, flags)).isEqualTo(addr);
        return mm.vmaLookup(addr);
    }

    @Test
    void aWriteFaultsAnonymousPagesInAndReadsBackAcrossTheBoundary() {
        Vma vma = anon(BASE, 2, VM_READ | VM_WRITE);
        assertThat(uaccess.copyToUser(BASE + PAGE - 2, bytes("user"), 0, 4)).isZero();

        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isEqualTo(2);
        Page second = memory.followPage(vma, BASE + PAGE);
        assertThat(m.ram.readByte(second.pfn(), 1)).isEqualTo((byte) 'r');
        assertThat(m.ram.readByte(second.pfn(), 2)).as("an anonymous page is zeroed").isZero();
        byte[] back = new byte[6];
        assertThat(uaccess.copyFromUser(back, 1, BASE + PAGE - 2, 4)).isZero();
        assertThat(back).isEqualTo(new byte[] {0, 'u', 's', 'e', 'r', 0});
    }

    @Test
    void aReadOfAMissingAnonymousPageSeesZeroesAndMapsNothing() {
        anon(BASE, 1, VM_READ | VM_WRITE);
        byte[] back = {1, 2, 3};
        assertThat(uaccess.copyFromUser(back, 0, BASE + 7, 3)).isZero();
        assertThat(back).isEqualTo(new byte[3]);
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).as("the zero page").isZero();
    }

    @Test
    void anUnmappedAddressCopiesNothingAndACopyStopsAtTheHole() {
        anon(BASE, 1, VM_READ | VM_WRITE);
        assertThat(uaccess.copyToUser(BASE + 5L * PAGE, new byte[8], 0, 8)).isEqualTo(8);
        assertThat(uaccess.copyToUser(BASE + PAGE - 3, bytes("abcdefgh"), 0, 8)).as("3 bytes fit").isEqualTo(5);

        byte[] back = {9, 9, 9, 9, 9, 9, 9, 9};
        assertThat(uaccess.copyFromUser(back, 0, BASE + PAGE - 3, 8)).isEqualTo(5);
        assertThat(back).as("the rest is zeroed, as _copy_from_user does")
                .isEqualTo(new byte[] {'a', 'b', 'c', 0, 0, 0, 0, 0});
    }

    @Test
    void aWriteToAReadOnlyMappingFailsAndAReadSucceeds() {
        assertThat(spaces.mmapSpecial(mm, BASE, PAGE, VM_READ | VM_SHARED)).isEqualTo(BASE);
        Vma vma = mm.vmaLookup(BASE);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.ram.write(page.pfn(), 0, bytes("ro"), 0, 2);
        assertThat(memory.vmInsertPage(vma, BASE, page)).isZero();

        assertThat(uaccess.copyToUser(BASE, new byte[1], 0, 1)).isEqualTo(1);
        assertThat(uaccess.clearUser(BASE, 4)).isEqualTo(4);
        byte[] back = new byte[3];
        assertThat(uaccess.copyFromUser(back, 0, BASE, 3)).isZero();
        assertThat(back).isEqualTo(new byte[] {'r', 'o', PhysicalMemory.PAGE_POISON});
        m.refs.putPage(page);
    }

    @Test
    void aWriteThroughAReadOnlyPteFailsEvenInAWritableVma() {
        anon(BASE, 1, VM_READ | VM_WRITE);
        assertThat(uaccess.copyToUser(BASE, bytes("w"), 0, 1)).isZero();
        PageTableWalk walk = new PageTableWalk(m.injector.getInstance(PageTableAllocator.class));
        PageTable table = walk.lookupPteTable(mm, BASE);
        int i = walk.geometry().index(BASE, 0);
        table.setPte(i, table.pte(i) & ~Pte._PAGE_RW);      // as a write-protecting mprotect leaves it

        assertThat(uaccess.copyToUser(BASE, bytes("x"), 0, 1)).isEqualTo(1);
        byte[] back = new byte[1];
        assertThat(uaccess.copyFromUser(back, 0, BASE, 1)).isZero();
        assertThat(back).isEqualTo(bytes("w"));
    }

    @Test
    void aDriverMappingWithNothingInsertedFaults() {
        assertThat(spaces.mmapSpecial(mm, BASE, PAGE, VM_READ | VM_WRITE | VM_SHARED)).isEqualTo(BASE);
        assertThat(uaccess.copyFromUser(new byte[1], 0, BASE, 1)).isEqualTo(1);
        assertThat(uaccess.copyToUser(BASE, new byte[1], 0, 1)).isEqualTo(1);
    }

    @Test
    void aWritableDriverMappingReachesTheInsertedPage() {
        assertThat(spaces.mmapSpecial(mm, BASE, PAGE, VM_READ | VM_WRITE | VM_SHARED)).isEqualTo(BASE);
        Page page = m.alloc.allocPage(GFP_KERNEL);
        assertThat(memory.vmInsertPage(mm.vmaLookup(BASE), BASE, page)).isZero();
        assertThat(uaccess.copyToUser(BASE + 100, bytes("shared"), 0, 6)).isZero();
        assertThat(uaccess.clearUser(BASE + 100, 2)).isZero();
        assertThat(m.ram.readByte(page.pfn(), 102)).as("the kernel sees the user's bytes").isEqualTo((byte) 'a');
        assertThat(m.ram.readByte(page.pfn(), 101)).isZero();
        m.refs.putPage(page);
    }

    @Test
    void aFileMappingOfVmallocMemoryCarriesBytesBothWaysAndMprotectStopsWrites() {
        VmallocDriver driver = new VmallocDriver(m.injector.getInstance(Vmalloc.class), 2);
        File file = driver.open(File.FMODE_READ | File.FMODE_WRITE);
        long addr = spaces.mmap(mm, file, 0, 2L * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
        file.put();
        KernelMemory kernel = m.injector.getInstance(KernelMemory.class);

        assertThat(uaccess.copyToUser(addr + PAGE - 2, bytes("span"), 0, 4)).as("across the page boundary").isZero();
        assertThat(kernel.read(driver.area() + PAGE - 2, 4)).as("the vmalloc area sees them").isEqualTo(bytes("span"));
        kernel.write(driver.area() + 8, bytes("map"), 0, 3);
        byte[] back = new byte[3];
        assertThat(uaccess.copyFromUser(back, 0, addr + 8, 3)).isZero();
        assertThat(back).isEqualTo(bytes("map"));

        assertThat(m.injector.getInstance(Mprotect.class).mprotect(mm, addr, 2L * PAGE, PROT_READ)).isZero();
        assertThat(uaccess.copyToUser(addr, bytes("x"), 0, 1)).as("read-only now: nothing copied").isEqualTo(1);
        assertThat(kernel.read(driver.area(), 1)).as("vmalloc_user zeroed it; the write never landed").containsExactly(0);
    }

    @Test
    void aVmaWithoutAccessRightsFaultsBothWays() {
        anon(BASE, 1, VmFlags.VM_NONE);
        anon(BASE + PAGE, 1, VM_READ);
        assertThat(uaccess.copyFromUser(new byte[1], 0, BASE, 1)).isEqualTo(1);
        assertThat(uaccess.copyToUser(BASE + PAGE, new byte[1], 0, 1)).isEqualTo(1);
        assertThat(uaccess.copyFromUser(new byte[1], 0, BASE + PAGE, 1)).isZero();
        assertThat(mm.rss(MmStruct.MM_ANONPAGES)).isZero();
    }

    @Test
    void rangesPastTaskSizeAndKernelThreadsCopyNothing() {
        anon(BASE, 1, VM_READ | VM_WRITE);
        long taskSize = memory.geometry().taskSize();
        assertThat(uaccess.copyToUser(taskSize - 2, new byte[4], 0, 4)).isEqualTo(4);
        assertThat(uaccess.copyToUser(-8L, new byte[4], 0, 4)).isEqualTo(4);
        try (Tasks.TaskScope kthread = m.tasks.enter(m.tasks.createKthread("kworker/0:1"))) {
            assertThat(uaccess.copyToUser(BASE, new byte[4], 0, 4)).isEqualTo(4);
        }
        assertThat(uaccess.copyToUser(BASE, new byte[0], 0, 0)).isZero();
    }
}
