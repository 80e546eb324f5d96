package org.mmemu.kernel.escape;

import java.util.List;
import org.mmemu.kernel.Era;

/**
 * One path driven under one era: what the allocator handed out and what was charged, at the
 * point of the drive where the difference peaked, and how the drive and the teardown ended.
 *
 * @param path the path's name
 * @param era the era
 * @param applicable false if the path does not exist in the era: nothing was run ("n/a")
 * @param limitBytes the cgroup's {@code memory.max}
 * @param allocatedBytes kernel memory the allocator handed out during the drive
 * @param chargedBytes what was charged to the cgroup meanwhile
 * @param maxCurrentBytes the highest {@code memory.current} seen
 * @param steps the steps driven
 * @param stop why the drive stopped: an errno's name, "killed", or "budget"
 * @param escaped more than the tolerance was allocated and not charged
 * @param held the limit held: {@code memory.current} stayed within it and nothing escaped beyond the tolerance
 * @param problems what the teardown's checks found (leaks, charges left, broken invariants); empty when clean
 */
public record EscapeCell(String path, Era era, boolean applicable, long limitBytes, long allocatedBytes,
                         long chargedBytes, long maxCurrentBytes, long steps, String stop, boolean escaped,
                         boolean held, List<String> problems) {
    public EscapeCell {
        problems = List.copyOf(problems);
    }

    /** A path that does not exist in {@code era}. */
    static EscapeCell notApplicable(String path, Era era, long limitBytes) {
        return new EscapeCell(path, era, false, limitBytes, 0, 0, 0, 0, "n/a", false, true, List.of());
    }

    /** This cell with {@code found} as its problems. */
    EscapeCell withProblems(List<String> found) {
        return new EscapeCell(path, era, applicable, limitBytes, allocatedBytes, chargedBytes, maxCurrentBytes, steps,
                stop, escaped, held, found);
    }

    /** Kernel memory allocated for the cgroup and not charged to it (never negative). */
    public long escapedBytes() {
        return Math.max(0, allocatedBytes - chargedBytes);
    }

    /** {@link #escapedBytes} as a multiple of the limit. */
    public double escapedLimits() {
        return (double) escapedBytes() / limitBytes;
    }

    /** Whether the teardown found something: a leak, a charge left, a broken invariant. */
    public boolean leaked() {
        return !problems.isEmpty();
    }

    /**
     * "ok" (the limit held), "ESC" (memory escaped the charge), "OVER" (charged, but
     * {@code memory.current} went past the limit: forced charges), or "n/a".
     */
    public String verdict() {
        if (!applicable) {
            return "n/a";
        }
        return escaped ? "ESC" : held ? "ok" : "OVER";
    }
}
