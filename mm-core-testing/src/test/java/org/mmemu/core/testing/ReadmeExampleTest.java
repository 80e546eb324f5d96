package org.mmemu.core.testing;

import static org.mmemu.core.mm.Mman.MAP_SHARED;
import static org.mmemu.core.mm.Mman.PROT_READ;
import static org.mmemu.core.mm.Mman.PROT_WRITE;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.MemMap.PAGE_SIZE;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.Errno;
import org.mmemu.core.fs.File;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Mprotect;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.core.vmalloc.Vmalloc;

/** The README's "Writing a test" examples, kept compiling and passing. */
class ReadmeExampleTest {
    @Nested
    @ExtendWith(MachineExtension.class)
    class FreeTest {
        @Test
        void freeingAMappedPageIsABadPage(TestMachine m) {
            Page page = m.alloc().allocPage(GFP_KERNEL);
            assertThat(page).hasRefCount(1).hasNoType().isNotFree();

            page.setMapcountWord(0);
            m.expectBadPage(page, "nonzero mapcount");
            m.alloc().freePage(page);

            assertThat(m.log().dmesg()).contains("BUG: Bad page state");
        }
    }

    @Nested
    class Configured {
        @RegisterExtension
        final MachineExtension machine = MachineExtension.builder()
                .memory("256M").cpus(2)
                .policy(PageTypeEncoding.class, "pagetype.Value48")
                .build();

        @Test
        void keepsOne(TestMachine m) {
            m.expectLeak(m.alloc().allocPages(GFP_KERNEL | __GFP_COMP, 3));
            assertThat(m.memMap().nrPages()).isEqualTo(65536);
        }
    }

    @Nested
    @ExtendWith(MachineExtension.class)
    class DriverMappingTest {
        @Test
        void aDriversMemoryLivesUntilItsLastMappingAndFileGo(TestMachine m) {
            AddressSpaces spaces = m.get(AddressSpaces.class);
            VmallocDriver driver = new VmallocDriver(m.get(Vmalloc.class), 4);
            File file = driver.open(File.FMODE_READ);
            MmStruct mm = spaces.mmAlloc();

            long addr = spaces.mmap(mm, file, 0, 4 * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
            assertThat(m.get(Mprotect.class).mprotect(mm, addr, PAGE_SIZE, PROT_READ | PROT_WRITE))
                    .isEqualTo(Errno.EACCES.negative());
            spaces.munmap(mm, addr + PAGE_SIZE, PAGE_SIZE);
            assertThat(driver.mappings()).isEqualTo(2);

            spaces.mmput(mm);
            file.put();
        }
    }
}
