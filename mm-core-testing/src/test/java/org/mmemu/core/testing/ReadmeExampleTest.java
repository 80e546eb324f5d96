package org.mmemu.core.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.testing.junit.MachineExtension;
import org.mmemu.core.testing.junit.TestMachine;

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
    @ExtendWith(MachineExtension.class)
    class ContentsTest {
        @Test
        void writeAndReadAPageThroughTheDirectMap(TestMachine m) {
            Page page = m.alloc().allocPage(GFP_KERNEL);                // reads as PAGE_POISON (0xaa)
            long addr = MemMap.pageAddress(page);                        // page_address: the direct map
            m.kernelMemory().write(addr + 8, "hi".getBytes(US_ASCII), 0, 2);
            assertThat(m.kernelMemory().read(addr + 7, 3)).containsExactly(0xaa, 'h', 'i');
            assertThat(m.ram().readByte(page.pfn(), 9)).isEqualTo((byte) 'i');
            m.alloc().freePage(page);                                    // the bytes are dropped
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
}
