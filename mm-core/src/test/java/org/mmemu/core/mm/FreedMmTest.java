package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;

/** An mm that was freed, or never set up by mm_alloc, is a use-after-free for every path. */
class FreedMmTest {
    private static final long BASE = 0x10000000L;

    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private Page page;

    @BeforeEach
    void boot() {
        m = Machine.boot();
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        page = m.alloc.allocPage(GFP_KERNEL);
    }

    @AfterEach
    void nothingLeaked() {
        assertThat(page.refcount()).as("the page was not taken").isEqualTo(1);
        m.alloc.freePage(page);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aFreedMmCannotBeMappedIntoOrPutAgain() {
        MmStruct mm = spaces.mmAlloc();
        spaces.mmapSpecial(mm, BASE, 4096, VM_READ | VM_SHARED);
        Vma vma = mm.vmaLookup(BASE);
        spaces.mmput(mm);

        assertThatThrownBy(() -> memory.vmInsertPage(vma, BASE, page))
                .isInstanceOf(KernelBug.class).hasMessageContaining("has no page tables");
        assertThatThrownBy(() -> memory.followPage(vma, BASE)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> spaces.mmapSpecial(mm, BASE, 4096, VM_READ)).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> spaces.mmput(mm))
                .isInstanceOf(KernelBug.class).hasMessageContaining("mm_users already 0");
        assertThatThrownBy(() -> spaces.mmget(mm)).isInstanceOf(KernelBug.class);
        assertThat(mm.mapCount()).isZero();
    }

    @Test
    void aBareMmServesOnlyAsATasksMmSlot() {
        MmStruct bare = new MmStruct();
        assertThat(m.tasks.create("bash", bare).mm()).isSameAs(bare);

        assertThatThrownBy(() -> spaces.mmapAnonymous(bare, 0, 4096, VM_READ))
                .isInstanceOf(KernelBug.class).hasMessageContaining("not made by mm_alloc");
        assertThat(bare.mapCount()).isZero();
    }
}
