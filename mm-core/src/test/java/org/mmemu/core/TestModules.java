package org.mmemu.core;

import com.google.inject.Module;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.alloc.PageAllocHook;
import org.mmemu.core.alloc.PageHooks;
import org.mmemu.core.page.Page;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.policy.PolicyBinder;

/** Guice modules the mm-core tests add to a {@link Machine}. */
public final class TestModules {
    private TestModules() {
    }

    /** Selects the registered policy {@code name} of {@code kind}. */
    public static <T> Module select(Class<T> kind, String name) {
        return binder -> PolicyBinder.policyBinder(binder, kind).select(name);
    }

    /** Installs {@code recorder} as an allocation hook (switch it on with its key). */
    public static Module allocHook(GfpRecorder recorder) {
        return binder -> PageHooks.allocHooks(binder).add(recorder);
    }

    /** An allocation hook that records the gfp of every allocation it sees. */
    public static final class GfpRecorder implements PageAllocHook {
        private final List<Integer> gfps = new ArrayList<>();

        @Override
        public synchronized boolean postAlloc(Cpu cpu, Page page, int gfp, int order) {
            gfps.add(gfp);
            return true;
        }

        public synchronized List<Integer> gfps() {
            return new ArrayList<>(gfps);
        }

        public synchronized void clear() {
            gfps.clear();
        }
    }
}
