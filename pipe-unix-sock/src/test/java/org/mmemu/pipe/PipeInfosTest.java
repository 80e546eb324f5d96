package org.mmemu.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.junit.TestMachine;
import org.mmemu.slab.Kmalloc;
import org.mmemu.slab.SlabModule;

/** A pipe's objects and pages, allocated and freed as each era's alloc_pipe_info / free_pipe_info do. */
class PipeInfosTest {
    private static TestMachine boot(KernelRelease release) {
        return TestMachine.boot(MemoryConfig.of("64M"), new SlabModule(), new PipeModule(),
                binder -> PipeEras.CONFIG.bind(binder, release));
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void theObjectAndItsRingAreKmallocedAndKfreed(KernelRelease release) {
        TestMachine m = boot(release);
        PipeInfos infos = m.get(PipeInfos.class);
        Kmalloc kmalloc = m.get(Kmalloc.class);
        PipeInodeInfo pipe = infos.allocPipeInfo();

        assertThat(kmalloc.ksize(pipe.address())).as("sizeof(struct pipe_inode_info) in kmalloc-192")
                .isEqualTo(192);
        assertThat(kmalloc.ksize(pipe.bufsAddress())).as("16 pipe_buffers of 40 bytes in kmalloc-1k")
                .isEqualTo(1024);
        assertThat(pipe.ringSize()).isEqualTo(PipeSysctl.PIPE_DEF_BUFFERS);
        assertThat(pipe.user().pipeBufs()).isEqualTo(PipeSysctl.PIPE_DEF_BUFFERS);

        long object = pipe.address();
        infos.freePipeInfo(pipe);
        assertThat(pipe.user().pipeBufs()).isZero();
        long again = kmalloc.kmalloc(192, m.get(PipeConfig.class).objectGfp());
        assertThat(again)
                .as("the object went back to its cache").isEqualTo(object);
        kmalloc.kfree(again);
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void theSparePageIsFreedWithThePipe(KernelRelease release) {
        TestMachine m = boot(release);
        PipeInfos infos = m.get(PipeInfos.class);
        PipeIo io = m.get(PipeIo.class);
        PipeInodeInfo pipe = infos.allocPipeInfo();
        pipe.readers = 1;
        pipe.writers = 1;
        io.pipeWrite(pipe, new KvecIter(m.ram(), new byte[10]));
        io.pipeRead(pipe, new KvecIter(m.ram(), new byte[10]));
        Page spare = pipe.tmpPage();
        assertThat(spare).isNotNull();

        infos.freePipeInfo(pipe);

        assertThat(m.isFree(spare)).isTrue();
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void aPageTeedElsewhereIsNotKeptAsTheSpare(KernelRelease release) {
        TestMachine m = boot(release);
        PipeInfos infos = m.get(PipeInfos.class);
        PipeIo io = m.get(PipeIo.class);
        PipeInodeInfo pipe = infos.allocPipeInfo();
        pipe.readers = 1;
        pipe.writers = 1;
        io.pipeWrite(pipe, new KvecIter(m.ram(), new byte[10]));
        Page page = pipe.slot(pipe.tail).page();
        m.refs().getPage(page);

        io.pipeRead(pipe, new KvecIter(m.ram(), new byte[10]));

        assertThat(pipe.tmpPage()).as("page_count was 2: put_page").isNull();
        assertThat(m.refs().pageCount(page)).isEqualTo(1);
        m.refs().putPage(page);
        infos.freePipeInfo(pipe);
        m.verify();
    }
}
