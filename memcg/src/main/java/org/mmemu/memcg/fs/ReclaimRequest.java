package org.mmemu.memcg.fs;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.page.MemMap;
import org.mmemu.memcg.Memparse;

/**
 * What a memory.reclaim write asks for (mm/memcontrol.c {@code memory_reclaim}, 6.13): a
 * {@code memparse} size, then space-separated keys, of which only {@code swappiness=N}
 * ({@code match_token} of {@code "swappiness=%d"}, 0 to 200) exists.
 */
final class ReclaimRequest {
    /** {@code MAX_SWAPPINESS}. */
    private static final int MAX_SWAPPINESS = 200;
    private static final String SWAPPINESS = "swappiness=";

    private ReclaimRequest() {
    }

    /**
     * @param buf the written text, whitespace-stripped
     * @return the pages to reclaim (the size rounded down)
     * @throws ErrnoException {@code EINVAL} for no size, an unknown key or a bad swappiness
     */
    static long pages(String buf) {
        Memparse size = Memparse.parse(buf);
        if (size.end() == 0) {
            throw new ErrnoException(Errno.EINVAL, "memory.reclaim: no size in '" + buf + "'");
        }
        for (String key : buf.substring(size.end()).strip().split(" ")) {
            if (!key.isEmpty() && !validSwappiness(key)) {
                throw new ErrnoException(Errno.EINVAL, "memory.reclaim: bad key '" + key + "'");
            }
        }
        return Long.divideUnsigned(size.bytes(), MemMap.PAGE_SIZE);
    }

    /**
     * {@code swappiness=%d} matches when the rest is a whole {@code simple_strtol} number (an
     * optional {@code -}, no {@code +}); {@code match_int} then wants it to fit an int.
     */
    private static boolean validSwappiness(String key) {
        if (!key.startsWith(SWAPPINESS)) {
            return false;
        }
        String n = key.substring(SWAPPINESS.length());
        if (n.isEmpty() || n.charAt(0) == '+' || n.indexOf('\n') >= 0) {
            return false;
        }
        try {
            int v = Kstrto.kstrtoint(n);
            return v >= 0 && v <= MAX_SWAPPINESS;
        } catch (ErrnoException e) {
            return false;
        }
    }
}
