package org.mmemu.s390;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_WRITE;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

/** The README's "Plugging in the s390 page tables" example, kept compiling and passing. */
class ReadmeS390ExampleTest {
    @RegisterExtension
    final MachineExtension machine = MachineExtension.builder()
            .modules(new S390Module())
            .policy(FragmentLayout.class, "s390layout.Mapcount48")   // or Refcount418, WholePage68
            .policy(PageTypeEncoding.class, "pagetype.Value48")      // Mapcount48 requires it
            .policy(S390PageTableGfp.class, "s390gfp.Account")       // default s390gfp.Kernel
            .build();

    @Test
    void aFaultTakesAHalfPagePteTableAndMunmapGivesItBackAfterAGracePeriod(TestMachine m) {
        AddressSpaces spaces = m.get(AddressSpaces.class);
        MemoryMapping memory = m.get(MemoryMapping.class);
        MmStruct mm = spaces.mmAlloc();
        long addr = spaces.mmapAnonymous(mm, 0, 4096, VM_READ | VM_WRITE);

        assertThat(memory.handleAnonFault(mm.vmaLookup(addr), addr)).isZero();
        assertThat(S390PageTableAllocator.context(mm).pgtableList()).as("the upper half is free").hasSize(1);
        assertThat(m.get(S390PageTableGfp.class).policyName()).isEqualTo("s390gfp.Account");

        spaces.munmap(mm, addr, 4096);
        m.get(Rcu.class).synchronizeRcu();
        spaces.mmput(mm);
        assertThat(S390PageTableAllocator.context(mm).pgtableList()).isEmpty();
    }
}
