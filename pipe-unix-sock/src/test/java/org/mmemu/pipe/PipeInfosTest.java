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

    /** A new pipe with a reader and a writer, and ten bytes written to it. */
    private static PipeInodeInfo tenBytesIn(TestMachine m) {
        PipeInodeInfo pipe = m.get(PipeInfos.class).allocPipeInfo();
        pipe.readers = 1;
        pipe.writers = 1;
        assertThat(m.get(PipeIo.class).pipeWrite(pipe, new KvecIter(m.ram(), new byte[10]))).isEqualTo(10);
        return pipe;
    }

    private static void read10(TestMachine m, PipeInodeInfo pipe) {
        assertThat(m.get(PipeIo.class).pipeRead(pipe, new KvecIter(m.ram(), new byte[10]))).isEqualTo(10);
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
        PipeInodeInfo pipe = tenBytesIn(m);
        read10(m, pipe);
        Page spare = pipe.tmpPage();
        assertThat(spare).isNotNull();

        m.get(PipeInfos.class).freePipeInfo(pipe);

        assertThat(m.isFree(spare)).isTrue();
        m.verify();
    }

    @ParameterizedTest
    @EnumSource(KernelRelease.class)
    void aPageTeedElsewhereIsNotKeptAsTheSpare(KernelRelease release) {
        TestMachine m = boot(release);
        PipeInodeInfo pipe = tenBytesIn(m);
        Page page = pipe.slot(pipe.tail).page();
        m.refs().getPage(page);

        read10(m, pipe);

        assertThat(pipe.tmpPage()).as("page_count was 2: put_page").isNull();
        assertThat(m.refs().pageCount(page)).isEqualTo(1);
        m.refs().putPage(page);
        m.get(PipeInfos.class).freePipeInfo(pipe);
        m.verify();
    }
}
