package org.mmemu.core.alloc;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mmemu.core.page.DumpPage;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Jiffies;
import org.mmemu.core.sched.Tasks;

/**
 * {@code bad_page()} (mm/page_alloc.c): prints the report and dump, resets {@code _mapcount}
 * (so the page no longer looks free), taints the kernel with 'B' and leaves the page out of the
 * allocator for good. At most 60 reports are printed per minute of emulated jiffies; the rest
 * are counted and summarised, as the kernel does. Every report, printed or not, is recorded.
 */
public final class BadPageReporter {
    private static final int BURST = 60;

    private final DumpPage dumpPage;
    private final KernelLog log;
    private final Tasks tasks;
    private final Jiffies jiffies;
    private final List<BadPageReport> reports = new ArrayList<>();
    private final List<LeakedBlock> leakedBlocks = new ArrayList<>();
    private long resume;
    private int nrShown;
    private long nrUnshown;

    @Inject
    public BadPageReporter(DumpPage dumpPage, KernelLog log, Tasks tasks, Jiffies jiffies) {
        this.dumpPage = dumpPage;
        this.log = log;
        this.tasks = tasks;
        this.jiffies = jiffies;
    }

    /** Reports {@code page} as bad because of {@code reason}. */
    public synchronized void badPage(Page page, String reason) {
        String comm = tasks.current().comm();
        long now = jiffies.now();
        boolean suppressed = false;
        if (nrShown == BURST) {
            if (now < resume) {
                nrUnshown++;
                suppressed = true;
            } else {
                if (nrUnshown > 0) {
                    log.printk("BUG: Bad page state: " + nrUnshown + " messages suppressed");
                    nrUnshown = 0;
                }
                nrShown = 0;
            }
        }
        if (!suppressed) {
            if (nrShown++ == 0) {
                resume = now + 60L * Jiffies.HZ;
            }
            log.printk(String.format(Locale.ROOT, "BUG: Bad page state in process %s  pfn:%05x",
                    comm, page.pfn()));
            log.printk(dumpPage.dump(page, reason));
            if (!log.isTainted(KernelLog.TAINT_BAD_PAGE)) {
                log.printk("Disabling lock debugging due to kernel taint");
            }
        }
        reports.add(new BadPageReport(page.pfn(), reason, comm, suppressed));
        // Leave the page looking neither free nor typed: page_mapcount_reset().
        page.setMapcountWord(MapcountWord.UNMAPPED);
        log.addTaint(KernelLog.TAINT_BAD_PAGE);
    }

    /**
     * Records that a whole block stays out of the allocator because a page in it was bad: the
     * kernel drops the block in {@code free_pages_prepare} and {@code check_new_pages} but
     * reports only the bad pages.
     */
    public synchronized void blockLeaked(Page head, int order) {
        leakedBlocks.add(new LeakedBlock(head.pfn(), order));
    }

    /** Every block left out of the allocator because of a bad page, oldest first. */
    public synchronized List<LeakedBlock> leakedBlocks() {
        return new ArrayList<>(leakedBlocks);
    }

    /**
     * A block of {@code 2^order} pages at {@code pfn} that a bad page kept out of the allocator.
     *
     * @param pfn the block's first page
     * @param order the block's order
     */
    public record LeakedBlock(long pfn, int order) {
    }

    /** Every report so far, oldest first. */
    public synchronized List<BadPageReport> reports() {
        return new ArrayList<>(reports);
    }
}
