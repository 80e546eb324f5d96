package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.Mman.MAP_SHARED;
import static org.mmemu.core.mm.Mman.PROT_READ;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.alloc.PageAllocHook;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.fs.File;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.rcu.Rcu;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.testing.VmallocDriver;
import org.mmemu.core.vmalloc.Vmalloc;

/**
 * {@link AddressSpaces#dupVma}: in whose context the child's page tables are allocated, and what
 * is left when they cannot be. (What the copy holds is the address-space contract's.)
 */
class VmaDupTest {
    private static final long PAGE = MemMap.PAGE_SIZE;
    private static final long BASE = 0x10000000L;

    /** Sees every accounted allocation: the task it was made for, or fails it when told to. */
    private static final class AccountedAllocations implements PageAllocHook {
        private final List<String> tasks = new ArrayList<>();
        private volatile boolean failing;

        @Override
        public synchronized boolean postAlloc(Cpu cpu, Page page, int gfp, int order) {
            if ((gfp & __GFP_ACCOUNT) == 0) {
                return true;
            }
            tasks.add(cpu.current().comm());
            return !failing;
        }

        synchronized List<String> tasks() {
            return new ArrayList<>(tasks);
        }
    }

    private final AccountedAllocations accounted = new AccountedAllocations();
    private Machine m;
    private AddressSpaces spaces;
    private VmallocDriver driver;
    private File file;
    private MmStruct parent;
    private MmStruct child;
    private TaskStruct childTask;

    @BeforeEach
    void boot() {
        m = Machine.boot(binder -> PageHooks.allocHooks(binder).add(accounted));
        m.hooks.allocKey().inc();
        spaces = m.injector.getInstance(AddressSpaces.class);
        driver = new VmallocDriver(m.injector.getInstance(Vmalloc.class), 2);
        file = driver.open(File.FMODE_READ);
        parent = spaces.mmAlloc();
        child = spaces.mmAlloc();
        childTask = m.tasks.create("child", child);
        assertThat(spaces.mmap(parent, file, BASE, 2 * PAGE, PROT_READ, MAP_SHARED, 0)).isEqualTo(BASE);
    }

    @AfterEach
    void everythingGoesWithTheTwoMms() {
        spaces.mmput(parent);
        spaces.mmput(child);
        file.put();
        m.hooks.allocKey().dec();
        m.injector.getInstance(Rcu.class).rcuBarrier();
        assertThat(driver.mappings()).isZero();
        assertThat(m.log.dmesg()).doesNotContain("BUG");
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void theChildsPageTablesAreAllocatedWhileTheChildIsCurrent() {
        List<String> before = accounted.tasks();

        assertThat(spaces.dupVma(parent.vmaLookup(BASE), child, childTask)).isZero();

        List<String> during = accounted.tasks().subList(before.size(), accounted.tasks().size());
        assertThat(during).as("one table per level below the pgd").hasSize(geometryTop())
                .containsOnly("child");
        assertThat(m.tasks.current().comm()).as("the caller runs again").isNotEqualTo("child");
    }

    @Test
    void aPageTableTheChildCannotHaveIsEnomemWithTheCopyLeftForItsTeardown() {
        accounted.failing = true;

        assertThat(spaces.dupVma(parent.vmaLookup(BASE), child, childTask)).isEqualTo(Errno.ENOMEM.negative());

        accounted.failing = false;
        Vma copy = child.vmaLookup(BASE);
        assertThat(copy).as("dup_mmap linked it before copying").isNotNull();
        assertThat(driver.opens()).as("and opened it").isEqualTo(1);
        assertThat(copy.file()).isSameAs(file);
        assertThat(driver.page(0).refcount()).as("nothing copied").isEqualTo(2);
        assertThat(child.rss(MmStruct.MM_FILEPAGES)).isZero();
    }

    private int geometryTop() {
        return m.injector.getInstance(MemoryMapping.class).geometry().top();
    }
}
