package org.mmemu.memcg.fs;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.core.page.MemMap;
import org.mmemu.memcg.PageCounter;

/**
 * memory.peak and memory.swap.peak (mm/memcontrol.c {@code peak_show}, {@code peak_write},
 * {@code peak_release}, 6.12+): an open file that never wrote shows the counter's watermark; a
 * write restarts that file's peak (and the counter's local watermark) from the current usage
 * and raises the other writers' peaks to it, so each handle sees the peak since its own reset.
 */
final class PeakFiles {
    /** The files that wrote, per counter: {@code memcg->memory_peaks} / {@code swap_peaks}. */
    private final Map<PageCounter, List<CgroupFile>> watchers = new IdentityHashMap<>();

    /** {@code peak_show}, in bytes. */
    String show(CgroupFile f, PageCounter counter) {
        long pages = f.peak() == CgroupFile.PEAK_UNSET ? counter.watermark()
                : Math.max(f.peak(), counter.localWatermark());
        return pages * MemMap.PAGE_SIZE + "\n";
    }

    /** {@code peak_write}: whatever was written. */
    synchronized void write(CgroupFile f, PageCounter counter) {
        long usage = counter.resetLocalWatermark();
        List<CgroupFile> peers = watchers.computeIfAbsent(counter, k -> new ArrayList<>());
        for (CgroupFile peer : peers) {
            if (usage > peer.peak()) {
                peer.setPeak(usage);
            }
        }
        if (f.peak() == CgroupFile.PEAK_UNSET) {
            peers.add(f);
        }
        f.setPeak(usage);
    }

    /** {@code peak_release}. */
    synchronized void release(CgroupFile f, PageCounter counter) {
        List<CgroupFile> peers = watchers.get(counter);
        if (peers != null && peers.remove(f) && peers.isEmpty()) {
            watchers.remove(counter);
        }
    }
}
