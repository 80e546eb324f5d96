package org.mmemu.core.alloc;

import com.google.inject.Binder;
import com.google.inject.Inject;
import com.google.inject.multibindings.Multibinder;
import java.util.Set;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.vmstat.PageStatHook;

/**
 * The hook points of the generic page paths and the static keys that guard them. Upper modules
 * add hooks with {@link #allocHooks(Binder)}, {@link #freeHooks(Binder)} and
 * {@link #releaseHooks(Binder)} and switch a point on with its key once they need it: while a
 * key is off its hooks are never called, so the path does no accounting work.
 */
public final class PageHooks {
    private final PageAllocHook[] alloc;
    private final PageFreeHook[] free;
    private final PageReleaseHook[] release;
    private final StaticKey allocKey = new StaticKey("page_alloc_hooks");
    private final StaticKey freeKey = new StaticKey("page_free_hooks");
    private final StaticKey releaseKey = new StaticKey("page_release_hooks");

    @Inject
    public PageHooks(Set<PageAllocHook> alloc, Set<PageFreeHook> free, Set<PageReleaseHook> release) {
        this.alloc = alloc.toArray(new PageAllocHook[0]);
        this.free = free.toArray(new PageFreeHook[0]);
        this.release = release.toArray(new PageReleaseHook[0]);
    }

    /** Registers post-allocation hooks. */
    public static HookBinder<PageAllocHook> allocHooks(Binder binder) {
        return new HookBinder<>(Multibinder.newSetBinder(binder, PageAllocHook.class));
    }

    /** Registers free_pages_prepare hooks. */
    public static HookBinder<PageFreeHook> freeHooks(Binder binder) {
        return new HookBinder<>(Multibinder.newSetBinder(binder, PageFreeHook.class));
    }

    /** Registers last-reference release hooks. */
    public static HookBinder<PageReleaseHook> releaseHooks(Binder binder) {
        return new HookBinder<>(Multibinder.newSetBinder(binder, PageReleaseHook.class));
    }

    /**
     * Registers per-page statistic hooks ({@link PageStatHook}, run by
     * {@link org.mmemu.core.vmstat.PageStats}; no static key: like the kernel's
     * {@code mod_lruvec_page_state}, they run whenever a page statistic moves).
     */
    public static HookBinder<PageStatHook> statHooks(Binder binder) {
        return new HookBinder<>(Multibinder.newSetBinder(binder, PageStatHook.class));
    }

    public StaticKey allocKey() {
        return allocKey;
    }

    public StaticKey freeKey() {
        return freeKey;
    }

    public StaticKey releaseKey() {
        return releaseKey;
    }

    /** Runs the allocation hooks; false if one failed the allocation. */
    boolean runAlloc(Cpu cpu, Page page, int gfp, int order) {
        for (PageAllocHook h : alloc) {
            if (!h.postAlloc(cpu, page, gfp, order)) {
                return false;
            }
        }
        return true;
    }

    void runFree(Cpu cpu, Page page, int order) {
        for (PageFreeHook h : free) {
            h.freePagesPrepare(cpu, page, order);
        }
    }

    void runRelease(Page page) {
        for (PageReleaseHook h : release) {
            h.release(page);
        }
    }

    /**
     * The binder DSL for one hook point, so callers never touch {@link Multibinder}.
     *
     * @param <T> the hook type
     */
    public static final class HookBinder<T> {
        private final Multibinder<T> multibinder;

        /** Wraps the set binder of one hook kind (other packages' hook points use it too). */
        public HookBinder(Multibinder<T> multibinder) {
            this.multibinder = multibinder;
        }

        /** Adds a hook implemented by a class bound elsewhere in the injector. */
        public HookBinder<T> add(Class<? extends T> hook) {
            multibinder.addBinding().to(hook);
            return this;
        }

        /** Adds a hook instance. */
        public HookBinder<T> add(T hook) {
            multibinder.addBinding().toInstance(hook);
            return this;
        }
    }
}
