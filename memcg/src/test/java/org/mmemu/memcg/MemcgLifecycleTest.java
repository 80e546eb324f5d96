package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.page.Page;

class MemcgLifecycleTest {
    private final List<String> events = new ArrayList<>();

    private final MemcgLifecycle recorder = new MemcgLifecycle() {
        @Override
        public void online(MemCgroup memcg) {
            events.add("online " + memcg.path() + (memcg.objcg() != null ? " with objcg" : ""));
        }

        @Override
        public void offline(MemCgroup memcg) {
            events.add("offline " + memcg.path() + " " + memcg.state());
        }

        @Override
        public void released(MemCgroup memcg) {
            events.add("released " + memcg.path() + " live " + m.objects.isLive(memcg.address()));
        }
    };

    private MemcgMachine m;

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void listenersHearMkdirRmdirAndTheRelease(TestEra era) {
        m = era.boot(binder -> MemcgLifecycle.listeners(binder).addBinding().toInstance(recorder));
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup child = m.cgroups.mkdir(job, "child");
        m.cgroups.rmdir(child);
        m.cgroups.rmdir(job);
        assertThat(events).containsExactly("online /job with objcg", "online /job/child with objcg",
                "offline /job/child DYING", "released /job/child live true",
                "offline /job DYING", "released /job live true");
        m.assertNoLeaks();
    }

    @ParameterizedTest
    @EnumSource(TestEra.class)
    void kmemcgIdsComeAtMkdirAndGoToTheParentAtRmdirWhileListenersStillSeeThem(TestEra era) {
        List<Integer> idAtOffline = new ArrayList<>();
        m = era.boot(binder -> MemcgLifecycle.listeners(binder).addBinding().toInstance(new MemcgLifecycle() {
            @Override
            public void offline(MemCgroup memcg) {
                idAtOffline.add(memcg.kmemcgId());
            }
        }));
        MemCgroup job = m.cgroups.mkdir("/job");
        MemCgroup child = m.cgroups.mkdir(job, "child");
        assertThat(m.tree.root().kmemcgId()).as("the root has no clones").isEqualTo(-1);
        assertThat(List.of(job.kmemcgId(), child.kmemcgId())).containsExactly(0, 1);
        assertThat(child.serialNr()).isGreaterThan(job.serialNr()).isGreaterThan(m.tree.root().serialNr());
        Page page = m.alloc.allocPages(GFP_KERNEL, 0);
        MemcgSlabPages pages = m.injector.getInstance(MemcgSlabPages.class);
        assertThat(pages.memcgKmemCharge(m.cpus.current(), page, GFP_KERNEL, 0, child)).isZero();

        m.cgroups.rmdir(child);
        assertThat(child.kmemcgId()).as("the dying child allocates from its parent's clones").isEqualTo(0);
        m.cgroups.rmdir(job);
        assertThat(idAtOffline).containsExactly(1, 0);
        assertThat(child.kmemcgId()).as("handed down the whole dying subtree").isEqualTo(-1);
        MemCgroup next = m.cgroups.mkdir("/next");
        assertThat(next.kmemcgId()).as("freed ids are reused").isZero();
        assertThat(next.serialNr()).as("serial numbers are not").isGreaterThan(child.serialNr());

        pages.memcgKmemUncharge(m.cpus.current(), page, 0);
        m.alloc.freePages(page, 0);
        m.cgroups.rmdir(next);
        m.assertNoLeaks();
    }

    @ParameterizedTest
    @EnumSource(names = {"V4_8", "V4_18"})
    void aCgroupHeldByItsSlabPagesIsReleasedWhenTheLastIsUncharged(TestEra era) {
        m = era.boot(binder -> MemcgLifecycle.listeners(binder).addBinding().toInstance(recorder));
        MemcgSlabPages pages = m.injector.getInstance(MemcgSlabPages.class);
        MemCgroup job = m.cgroups.mkdir("/job");
        Page page = m.alloc.allocPages(GFP_KERNEL, 0);
        assertThat(pages.memcgKmemCharge(m.cpus.current(), page, GFP_KERNEL, 0, job)).isZero();
        m.cgroups.rmdir(job);
        assertThat(events).containsExactly("online /job with objcg", "offline /job DYING");

        pages.memcgKmemUncharge(m.cpus.current(), page, 0);
        assertThat(events).last().isEqualTo("released /job live true");
        m.alloc.freePages(page, 0);
        m.assertNoLeaks();
    }
}
