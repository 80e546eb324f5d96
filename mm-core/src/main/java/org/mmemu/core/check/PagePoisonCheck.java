package org.mmemu.core.check;

import com.google.inject.Inject;
import java.util.BitSet;
import java.util.List;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.DumpPage;

/**
 * Every free page (in the buddy or on a per-CPU list) still holds the poison pattern it got when
 * it was freed: nobody wrote it, or zeroed it, through a stale address. The allocator reports
 * such a page when it hands it out again ({@code check_poison_mem}); this check finds the ones
 * a test never allocated again. It walks the touched frames ({@link PhysicalMemory#nextTouched}),
 * so it costs what the test wrote, not the machine's size.
 */
public final class PagePoisonCheck implements ConsistencyCheck {
    private static final int SHOWN = 5;

    private final PageAllocator alloc;
    private final PhysicalMemory ram;
    private final DumpPage dumpPage;

    @Inject
    public PagePoisonCheck(PageAllocator alloc, PhysicalMemory ram, DumpPage dumpPage) {
        this.alloc = alloc;
        this.ram = ram;
        this.dumpPage = dumpPage;
    }

    @Override
    public String name() {
        return "page poison";
    }

    @Override
    public List<String> check() {
        Violations v = new Violations(SHOWN);
        BitSet free = alloc.freePfns();
        for (int pfn = ram.nextTouched(0); pfn >= 0; pfn = ram.nextTouched(pfn + 1)) {
            if (free.get(pfn)) {
                v.add("free page written after it was freed (use after free)\n"
                        + dumpPage.dump(alloc.memMap().pfnToPage(pfn), null));
            }
        }
        return v.list();
    }
}
