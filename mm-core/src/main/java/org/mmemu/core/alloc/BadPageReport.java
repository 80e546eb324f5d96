package org.mmemu.core.alloc;

/**
 * One {@code bad_page()} event, kept beside the log text so tests and the leak check can tell
 * a page the kernel reported (and leaked on purpose) from one that was silently lost.
 *
 * @param pfn the bad page
 * @param reason the last failing check, as the kernel names it
 * @param comm the task that was running
 * @param suppressed whether the rate limit kept it out of the log
 */
public record BadPageReport(long pfn, String reason, String comm, boolean suppressed) {
}
