package org.mmemu.core.alloc;

import java.util.Locale;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Jiffies;

/**
 * Page poisoning (mm/page_poison.c), which the emulated kernel always boots with: a freed page
 * reads as {@link PhysicalMemory#PAGE_POISON} ({@link PhysicalMemory#kernelPoisonPages}), and
 * {@code kernel_unpoison_pages} on allocation checks that nobody wrote it while it was free
 * ({@code check_poison_mem}): a page that no longer holds the pattern is reported as
 * "pagealloc: memory corruption" (or "single bit error") with a hex dump of the damaged range,
 * at most 10 times per 5 seconds, and keeps what was written. The kernel's stack dump has no
 * emulated counterpart.
 */
final class PagePoison {
    private static final int ROW = 16;

    private final MemMap memMap;
    private final PhysicalMemory ram;
    private final KernelLog log;
    private final Jiffies jiffies;
    private final RatelimitState ratelimit = new RatelimitState("check_poison_mem", 5L * Jiffies.HZ, 10);

    PagePoison(MemMap memMap, PhysicalMemory ram, KernelLog log, Jiffies jiffies) {
        this.memMap = memMap;
        this.ram = ram;
        this.log = log;
        this.jiffies = jiffies;
    }

    /** {@code kernel_unpoison_pages}: checks {@code nr} newly allocated frames from {@code page}. */
    void kernelUnpoisonPages(Page page, int nr) {
        int pfn = (int) page.pfn();
        for (int i = 0; i < nr; i++) {
            if (ram.isTouched(pfn + i)) {
                checkPoisonMem(memMap.page(pfn + i));
            }
        }
    }

    /** {@code check_poison_mem} of one frame that was zeroed or written while free. */
    private void checkPoisonMem(Page page) {
        byte[] mem = new byte[MemMap.PAGE_SIZE];
        ram.read(page.pfn(), 0, mem, 0, mem.length);
        int start = 0;
        while (start < mem.length && mem[start] == PhysicalMemory.PAGE_POISON) {
            start++;
        }
        if (start == mem.length || !ratelimit.allow(jiffies, log)) {
            return;
        }
        int end = mem.length - 1;
        while (end > start && mem[end] == PhysicalMemory.PAGE_POISON) {
            end--;
        }
        int error = (mem[start] ^ PhysicalMemory.PAGE_POISON) & 0xff;
        boolean singleBit = start == end && (error & (error - 1)) == 0;
        log.printk(singleBit ? "pagealloc: single bit error" : "pagealloc: memory corruption");
        long base = MemMap.pageAddress(page);
        for (int row = start; row <= end; row += ROW) {
            log.printk(hexDumpLine(base + row, mem, row, Math.min(ROW, end + 1 - row)));
        }
    }

    /** One line of {@code print_hex_dump(DUMP_PREFIX_ADDRESS, 16, 1, ..., true)}. */
    private static String hexDumpLine(long address, byte[] mem, int from, int len) {
        StringBuilder hex = new StringBuilder();
        StringBuilder ascii = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int b = mem[from + i] & 0xff;
            hex.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b));
            ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        }
        while (hex.length() < ROW * 3 + 1) {
            hex.append(' ');
        }
        return String.format(Locale.ROOT, "%016x: %s%s", address, hex, ascii);
    }
}
