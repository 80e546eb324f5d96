package org.mmemu.core.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
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
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.interleave.InterleavingPoint;
import org.mmemu.core.mm.AddressSpaces;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.mm.Mprotect;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.sched.Exit;
import org.mmemu.core.sched.Fork;
import org.mmemu.core.sched.TaskStruct;
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

    @Nested
    @ExtendWith(MachineExtension.class)
    class FromObjRaceTest {
        static final InterleavingPoint BETWEEN_LOADS = InterleavingPoint.declare("readme:between_loads");

        static long memcgOf(Page page) {
            if ((page.memcgData() & 1) != 0) {
                return 0;
            }
            BETWEEN_LOADS.reach();
            return page.memcgData();
        }

        @Test
        void aVectorAttachedBetweenTheLoadsIsTakenForAMemcg(TestMachine m) {
            Page page = m.alloc().allocPage(GFP_KERNEL);
            CpuThread cpu1 = CpuThread.start(m.cpus(), 1);
            long[] seen = new long[1];

            cpu1.runUntil(BETWEEN_LOADS, () -> seen[0] = memcgOf(page));
            page.setMemcgData(0x1000 | 1);
            cpu1.release();
            cpu1.finish();

            assertThat(seen[0]).isEqualTo(0x1000 | 1);
            page.setMemcgData(0);
            m.alloc().freePage(page);
        }
    }

    @Nested
    @ExtendWith(MachineExtension.class)
    class ForkTest {
        @Test
        void aForkedChildSharesTheFilesNotTheFdTable(TestMachine m) {
            TaskStruct parent = m.tasks().create("parent", null);      // root, init's rlimits, no fds
            File file = new File(new FileOperations() { }, "my pipe", File.FMODE_READ);
            int fd = parent.files().getUnusedFd(parent.rlimit(Rlimits.RLIMIT_NOFILE));
            parent.files().fdInstall(fd, file);                        // fd 0, the lowest free

            TaskStruct child = m.get(Fork.class).copyProcess(parent);  // dup_fd: get_file on each
            assertThat(file.count()).isEqualTo(2);
            assertThat(child.files().closeFd(fd)).isZero();            // the parent's fd stays open
            assertThat(child.files().closeFd(fd)).isEqualTo(Errno.EBADF.negative());

            m.get(Exit.class).doExit(child);
            m.get(Exit.class).doExit(parent);                          // exit_files: the last fput
            assertThat(file.count()).isZero();
            assertThat(m.tasks().findTaskByVpid(parent.pid())).isNull();
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
