package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;

import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.MemMap;

/** What a {@link Vma} lets a driver set, and what it refuses. */
class VmaTest {
    private static final long PAGE = MemMap.PAGE_SIZE;

    @Test
    void aDriverVmaStartsWithTheDummyOpsAndKeepsSomeAnAnonymousOneTakesNone() {
        Machine m = Machine.boot();
        AddressSpaces spaces = m.injector.getInstance(AddressSpaces.class);
        MmStruct mm = spaces.mmAlloc();
        Vma special = mm.vmaLookup(spaces.mmapSpecial(mm, 0, PAGE, VM_READ | VM_SHARED));
        Vma anon = mm.vmaLookup(spaces.mmapAnonymous(mm, 0, PAGE, VM_READ));

        assertThat(special.vmOps()).isSameAs(VmOperations.DUMMY);
        assertThat(special.isAnonymous()).isFalse();
        assertThat(special.file()).isNull();
        assertThatThrownBy(() -> special.setVmOps(null)).isInstanceOf(NullPointerException.class);
        assertThat(anon.vmOps()).isNull();
        assertThatThrownBy(() -> anon.setVmOps(VmOperations.DUMMY)).isInstanceOf(IllegalStateException.class);
        assertThat(anon.isAnonymous()).isTrue();
        assertThat(special.toString()).contains("pgoff:0");
        assertThat(anon.toString()).endsWith(" anon");

        spaces.mmput(mm);
        assertThat(m.leakedPages()).isZero();
    }
}
