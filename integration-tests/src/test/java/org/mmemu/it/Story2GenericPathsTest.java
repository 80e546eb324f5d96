package org.mmemu.it;

import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.testing.assertj.MmAssertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.page.Page;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Task;
import org.mmemu.memcg.MemcgConfig;
import org.mmemu.memcg.MemcgModule;

/**
 * The story, step 2 (4.8, commit 4949148a): any {@code __GFP_ACCOUNT} page allocation is
 * charged in the page allocator and uncharged exactly once, whoever frees it and however
 * ({@code put_page}, {@code release_pages}, {@code __free_pages}, and a page still referenced
 * elsewhere only at its last put). Before 4.8 the same allocation is not charged at all; with
 * {@code cgroup.memory=nokmem} no era charges it, and the allocator's hooks stay switched off.
 */
class Story2GenericPathsTest {
    private EraMachine e;
    private Task writer;
    private long baseCharged;

    @AfterEach
    void finish() {
        e.finish();
    }

    private void boot(Era era, com.google.inject.Module... extra) {
        e = EraMachine.boot(era, extra);
        e.mkdir("/job");
        writer = e.spawn("/job");
        baseCharged = e.charged("/job");
    }

    /** Pages charged to /job since the writer was spawned (its pgd is charged from 4.8). */
    private long charged() {
        return e.charged("/job") - baseCharged;
    }

    private Page allocAccounted() {
        try (var running = e.as(writer)) {
            return e.alloc.allocPage(GFP_KERNEL_ACCOUNT);
        }
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void everyFreePathUnchargesExactlyOnceFrom48AndNothingWasChargedBefore(Era era) {
        boot(era);
        long one = era == Era.V4_7 ? 0 : 1;
        Page viaPutPage = allocAccounted();
        Page viaReleasePages = allocAccounted();
        Page viaFreePages = allocAccounted();
        Page shared = allocAccounted();
        assertThat(charged()).isEqualTo(4 * one);

        e.refs.putPage(viaPutPage);
        assertThat(charged()).isEqualTo(3 * one);
        e.refs.releasePages(List.of(viaReleasePages));
        assertThat(charged()).isEqualTo(2 * one);
        e.alloc.freePage(viaFreePages);
        assertThat(charged()).isEqualTo(one);

        e.refs.getPage(shared);
        e.alloc.freePage(shared);
        assertThat(charged()).as("another reference keeps the page, and its charge").isEqualTo(one);
        e.refs.putPage(shared);
        assertThat(charged()).isZero();

        for (Page p : List.of(viaPutPage, viaReleasePages, viaFreePages, shared)) {
            assertThat(e.m, p).isFree().hasMemcgData(0).hasNoType();
        }
    }

    @ParameterizedTest
    @EnumSource(Era.class)
    void withNokmemNoEraChargesAndTheAllocatorHooksStayOff(Era era) {
        MemcgConfig nokmem = era.memcgConfig().withKmemAccounting(false);
        boot(era, binder -> MemcgModule.config(binder).setBinding().toInstance(nokmem));

        Page page = allocAccounted();

        assertThat(e.charged("/job")).as("not even the pgd").isZero();
        assertThat(e.m, page).hasMemcgData(0).hasNoType();
        PageHooks hooks = e.m.get(PageHooks.class);
        assertThat(hooks.allocKey().isEnabled()).isFalse();
        assertThat(hooks.freeKey().isEnabled()).isFalse();
        e.refs.putPage(page);
    }
}
