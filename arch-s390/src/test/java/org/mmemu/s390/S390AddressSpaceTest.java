package org.mmemu.s390;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Module;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mmemu.core.mm.MemoryMapping;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.testing.contract.AddressSpaceContract;
import org.mmemu.core.testing.junit.TestMachine;

/** mm-core-testing's address-space contract under the s390 binding, once per layout. */
class S390AddressSpaceTest {
    /** The contract with one layout, and a check that the machine really runs it. */
    abstract static class Layout extends AddressSpaceContract {
        abstract FragmentLayout.Eras layout();

        @Override
        protected Module pageTableBinding() {
            return S390Layouts.binding(layout());
        }

        @Test
        void theMachineRunsTheS390AllocatorInThisLayout(TestMachine m) {
            PageTableAllocator bound = m.get(PageTableAllocator.class);
            assertThat(bound).isInstanceOf(S390PageTableAllocator.class);
            assertThat(((S390PageTableAllocator) bound).layout()).isEqualTo(layout());
            assertThat(m.get(MemoryMapping.class).geometry()).isSameAs(S390PageTableAllocator.GEOMETRY);
            assertThat(S390PageTableAllocator.GEOMETRY.taskSize()).as("4 TiB: three levels").isEqualTo(1L << 42);
        }
    }

    @Nested
    class Mapcount48 extends Layout {
        @Override
        FragmentLayout.Eras layout() {
            return FragmentLayout.Eras.MAPCOUNT_4_8;
        }
    }

    @Nested
    class Refcount418 extends Layout {
        @Override
        FragmentLayout.Eras layout() {
            return FragmentLayout.Eras.REFCOUNT_4_18;
        }
    }

    @Nested
    class WholePage68 extends Layout {
        @Override
        FragmentLayout.Eras layout() {
            return FragmentLayout.Eras.WHOLE_PAGE_6_8;
        }
    }
}
