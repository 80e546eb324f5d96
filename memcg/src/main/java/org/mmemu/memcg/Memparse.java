package org.mmemu.memcg;

/**
 * {@code memparse} (lib/cmdline.c): a C integer read as {@code simple_strtoull(s, &end, 0)}
 * does (decimal, {@code 0x} hex, leading-zero octal; ASCII digits only; no sign) followed by an
 * optional K/M/G/T/P/E suffix in either case, wrapping silently modulo 2^64 on overflow.
 *
 * @param bytes the value (unsigned)
 * @param end   the index just past what was parsed: past the suffix even without digits (so
 *              {@code "K"} is 0), {@code 0} when there was neither
 */
public record Memparse(long bytes, int end) {
    /** Parses the longest such prefix of {@code s}. */
    public static Memparse parse(String s) {
        int i = 0;
        int base = 10;
        if (s.length() > 0 && s.charAt(0) == '0') {
            boolean hex = s.length() > 2 && (s.charAt(1) | 0x20) == 'x' && asciiDigit(s.charAt(2)) >= 0;
            base = hex ? 16 : 8;
            i = hex ? 2 : 0;
        }
        long bytes = 0;
        for (; i < s.length(); i++) {
            int d = asciiDigit(s.charAt(i));
            if (d < 0 || d >= base) {
                break;
            }
            bytes = bytes * base + d;
        }
        if (i < s.length()) {
            int shift = "kmgtpe".indexOf(Character.toLowerCase(s.charAt(i)));
            if (shift >= 0) {
                bytes <<= 10 * (shift + 1);
                i++;
            }
        }
        return new Memparse(bytes, i);
    }

    /** The value of an ASCII hex digit, -1 for anything else (the kernel parses bytes). */
    private static int asciiDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }
}
