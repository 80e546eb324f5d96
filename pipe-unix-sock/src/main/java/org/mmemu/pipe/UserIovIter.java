package org.mmemu.pipe;

import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.mm.UserCopy;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * An {@code ITER_IOVEC} {@link IovIter} over one user buffer of {@code current}: bytes go through
 * {@code copy_from_user} / {@code copy_to_user} ({@link UserCopy}, the task's page tables), a page
 * at a time through a bounce array, and stop where the user buffer faults.
 */
final class UserIovIter implements IovIter {
    private final UserCopy userCopy;
    private final PhysicalMemory ram;
    private final byte[] bounce = new byte[MemMap.PAGE_SIZE];
    private long addr;
    private long left;

    UserIovIter(UserCopy userCopy, PhysicalMemory ram, long addr, long len) {
        this.userCopy = userCopy;
        this.ram = ram;
        this.addr = addr;
        this.left = len;
    }

    @Override
    public long count() {
        return left;
    }

    @Override
    public int copyPageFromIter(Page page, int offset, int n) {
        int len = (int) Math.min(n, left);
        int copied = len - userCopy.copyFromUser(bounce, 0, addr, len);
        ram.write(page.pfn(), offset, bounce, 0, copied);
        advance(copied);
        return copied;
    }

    @Override
    public int copyPageToIter(Page page, int offset, int n) {
        int len = (int) Math.min(n, left);
        ram.read(page.pfn(), offset, bounce, 0, len);
        int copied = len - userCopy.copyToUser(addr, bounce, 0, len);
        advance(copied);
        return copied;
    }

    private void advance(int copied) {
        addr += copied;
        left -= copied;
    }
}
