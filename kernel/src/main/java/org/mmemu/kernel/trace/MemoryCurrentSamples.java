package org.mmemu.kernel.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mmemu.core.page.MemMap;
import org.mmemu.memcg.MemCgroup;

/**
 * memory.current of every cgroup the trace made, sampled after every operation from the
 * cgroup's page counter (what the file shows; a removed cgroup's while it is dying): per path,
 * the operations' numbers (1 for the first) and the bytes.
 */
public final class MemoryCurrentSamples implements TraceListener {
    /** One cgroup's samples. */
    public record Series(List<Integer> steps, List<Long> bytes) {
    }

    private final Map<String, Series> series = new TreeMap<>();

    @Override
    public void afterStep(int index, TraceStep step, TraceContext ctx) {
        for (MemCgroup m : ctx.cgroups().values()) {
            if (m.state() != MemCgroup.State.RELEASED) {
                Series s = series.computeIfAbsent(m.path(), p -> new Series(new ArrayList<>(), new ArrayList<>()));
                s.steps().add(index + 1);
                s.bytes().add(m.memory().read() * MemMap.PAGE_SIZE);
            }
        }
    }

    /** The samples, by cgroup path in path order. */
    public Map<String, Series> series() {
        return Collections.unmodifiableMap(series);
    }
}
