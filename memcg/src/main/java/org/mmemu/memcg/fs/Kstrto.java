package org.mmemu.memcg.fs;

import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;

/**
 * {@code kstrtoint(s, 0, &res)} (lib/kstrtox.c): an optional sign, a C integer (decimal,
 * {@code 0x} hex, leading-zero octal), an optional trailing newline and nothing else.
 */
final class Kstrto {
    private Kstrto() {
    }

    /**
     * @throws ErrnoException {@code EINVAL} for anything that is not such a number,
     *         {@code ERANGE} when it does not fit an int
     */
    static int kstrtoint(String s) {
        boolean negative = s.startsWith("-");
        int i = negative || s.startsWith("+") ? 1 : 0;
        int base = 10;
        if (i < s.length() && s.charAt(i) == '0') {
            boolean hex = i + 2 < s.length() && (s.charAt(i + 1) | 0x20) == 'x' && digit(s.charAt(i + 2)) >= 0;
            base = hex ? 16 : 8;
            i += hex ? 2 : 0;
        }
        long value = 0;
        int digits = 0;
        for (; i < s.length(); i++) {
            int d = digit(s.charAt(i));
            if (d < 0 || d >= base) {
                break;
            }
            value = Math.min(value * base + d, 1L << 40);
            digits++;
        }
        if (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        if (digits == 0 || i != s.length()) {
            throw new ErrnoException(Errno.EINVAL, "not an integer: '" + s + "'");
        }
        long v = negative ? -value : value;
        if (v != (int) v) {
            throw new ErrnoException(Errno.ERANGE, "out of range: '" + s + "'");
        }
        return (int) v;
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }
}
