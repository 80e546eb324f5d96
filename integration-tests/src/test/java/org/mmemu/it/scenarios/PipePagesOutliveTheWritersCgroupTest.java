package org.mmemu.it.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.scenarios.Counters.charged;

import java.util.Random;
import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.MemCgroup;

/**
 * Pipe pages written in {@code /p/a}, whose process then exits and whose cgroup is removed while
 * the pages wait in a pipe; a process of another cgroup frees them. A pipe page is charged to the
 * writer's cgroup when {@code pipe_write} allocates it ({@code GFP_HIGHUSER | __GFP_ACCOUNT} from
 * 4.8, "pipe: account to kmemcg"; fs/pipe.c 4.8.15), and {@code put_page} from
 * {@code anon_pipe_buf_release} uncharges that cgroup however far the freeing task is from it;
 * {@code tee} ({@code link_pipe}, fs/splice.c) only takes a reference, so teed pages stay the
 * writer's until the last pipe lets go. The removed cgroup is pinned by its pages (they point at
 * its mem_cgroup) until the objcg era reparents kernel pages (latest); up to 4.7 pipes charge
 * nothing. Run with both page-table bindings: the processes' tables differ, the pipe does not.
 */
class PipePagesOutliveTheWritersCgroupTest {
    private static final int SIZE = 64 << 10;
    private static final long PAGE = MemMap.PAGE_SIZE;

    private static byte[] data() {
        byte[] b = new byte[SIZE];
        new Random(16).nextBytes(b);
        return b;
    }

    /** /p with memory for its children, and {@code children} below it; returns the first child. */
    private static MemCgroup mkdirs(Kernel k, String... children) {
        k.cgroupfs().mkdir("/p");
        k.cgroupfs().write("/p/cgroup.subtree_control", "+memory");
        MemCgroup first = null;
        for (String child : children) {
            MemCgroup cg = k.cgroupfs().mkdir("/p/" + child);
            first = first == null ? cg : first;
        }
        return first;
    }

    /** What /p is charged beyond {@code other}: the removed /p/a's share. */
    private static long dying(Kernel k, String other) {
        return charged(k, "/p") - charged(k, other);
    }

    /**
     * The removed {@code /p/a} is charged for {@code pages} of pipe pages, which {@code reader}
     * of {@code cgroup} reads out of {@code fd}: its cgroup pays nothing, and {@code /p/a}'s share
     * drops by every page but the spare {@code tmp_page} the pipe keeps. The pages pin the removed
     * cgroup (they point at its mem_cgroup) until the objcg era reparents them.
     */
    private static void readElsewhere(Kernel k, MemCgroup a, Task reader, int fd, String cgroup, long pages) {
        long held = dying(k, cgroup);
        long own = charged(k, cgroup);
        assertThat(held).as("the removed cgroup still pays for its pages").isGreaterThanOrEqualTo(pages);
        if (pages > 0) {
            assertThat(a.state()).isEqualTo(k.era() == Era.LATEST ? MemCgroup.State.RELEASED : MemCgroup.State.DYING);
        }

        byte[] got = reader.read(fd, SIZE);

        assertThat(got).isEqualTo(data());
        assertThat(charged(k, cgroup)).as("the reader's cgroup pays nothing").isEqualTo(own);
        assertThat(held - dying(k, cgroup)).as("every page read is uncharged, but the spare tmp_page")
                .isEqualTo(pages == 0 ? 0 : pages - PAGE);
    }

    /** {@code reader} exits and its cgroup goes: nothing is left in /p, and /p/a is released. */
    private static void leave(Kernel k, MemCgroup a, Task reader, String cgroup) {
        reader.exit();
        k.cgroupfs().rmdir(cgroup);
        assertThat(charged(k, "/p")).as("the pipes gone, nothing is left in the subtree").isZero();
        assertThat(a.state()).isEqualTo(MemCgroup.State.RELEASED);
    }

    /** The pipe pages 64 KiB make: charged from 4.8. */
    private static long pipePages(Kernel k) {
        return k.era().compareTo(Era.V4_8) >= 0 ? SIZE : 0;
    }

    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void aRemovedWritersPipePagesAreUnchargedOnceByAReaderElsewhere(Kernel k) {
        MemCgroup a = mkdirs(k, "a", "b");
        Task writer = k.spawn("/p/a");
        int[] p = writer.pipe();
        Task reader = writer.fork();
        reader.moveTo("/p/b");
        reader.close(p[1]);
        writer.close(p[0]);
        long p0 = charged(k, "/p");

        assertThat(writer.write(p[1], data())).isEqualTo(SIZE);
        assertThat(charged(k, "/p") - p0).as("the pipe's pages").isEqualTo(pipePages(k));
        writer.exit();
        k.cgroupfs().rmdir("/p/a");

        readElsewhere(k, a, reader, p[0], "/p/b", pipePages(k));
        leave(k, a, reader, "/p/b");
    }

    @Eras(memory = "64M", arches = {Arch.GENERIC, Arch.S390})
    void teedPagesOutliveTheFirstPipeAndTheWritersCgroup(Kernel k) {
        MemCgroup a = mkdirs(k, "a", "c");
        Task writer = k.spawn("/p/a");
        int[] first = writer.pipe();
        Task teer = writer.fork();
        teer.moveTo("/p/c");
        int[] second = teer.pipe();
        assertThat(writer.write(first[1], data())).isEqualTo(SIZE);
        long c0 = charged(k, "/p/c");

        assertThat(teer.tee(first[0], second[1], SIZE)).isEqualTo(SIZE);
        assertThat(charged(k, "/p/c")).as("tee copies nothing and charges nothing").isEqualTo(c0);
        for (Task t : new Task[] {writer, teer}) {
            t.close(first[0]);
            t.close(first[1]);
        }
        writer.exit();
        k.cgroupfs().rmdir("/p/a");

        readElsewhere(k, a, teer, second[0], "/p/c", pipePages(k));
        teer.close(second[0]);
        teer.close(second[1]);
        leave(k, a, teer, "/p/c");
    }
}
