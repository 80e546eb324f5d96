package org.mmemu.core.alloc;

import java.util.Locale;
import org.mmemu.core.sched.Jiffies;

/**
 * The texts mm/page_alloc.c prints where they changed between releases: a policy chosen per era.
 * It decides the reasons {@code check_new_page_bad} gives for a bad page taken from a free list
 * and the allocation-failure warning with its ratelimit; the free-time reasons never changed
 * in the emulated eras.
 *
 * <pre>
 *  policy               eras       allocation-time reasons             failure warning
 *  pgalloctexts.V4_7    4.7-4.8    "nonzero _count",                   warn_alloc_failed: no nodemask=,
 *                                  "PAGE_FLAGS_CHECK_AT_PREP flag set" 10 per 5 s
 *  pgalloctexts.V4_18   4.18-4.19  the same                            warn_alloc: ", nodemask=(null)",
 *                                                                      10 per 5 s
 *  pgalloctexts.V5_9    5.9-       page_bad_reason: "nonzero _refcount",  the same, 1 per 10 s
 *                                  "PAGE_FLAGS_CHECK_AT_PREP flag(s) set"
 * </pre>
 *
 * (Read in 4.7-rc3, 4.8, 4.18, 4.19, 5.9 and 6.13 mm/page_alloc.c. Without cpusets,
 * {@code cpuset_print_current_mems_allowed} prints nothing, so 4.18's line and 5.9's are alike.)
 */
public interface PageAllocTexts {
    /** The policy's dotted name. */
    String policyName();

    /** The reason a page taken from a free list with a nonzero refcount is bad. */
    String newPageRefcountReason();

    /** The reason a page taken from a free list with a {@code PAGE_FLAGS_CHECK_AT_PREP} flag is bad. */
    String newPageFlagsReason();

    /**
     * The first line of the warning for a failed allocation of {@code order} by {@code comm},
     * {@code mode} being the mask as {@code %#x(%pGg)} prints it.
     */
    String allocFailure(String comm, int order, String mode);

    /** The function whose ratelimit counts the warnings (named in "callbacks suppressed"). */
    String warnFunction();

    /** The ratelimit interval of the warning, in jiffies. */
    long warnInterval();

    /** How many warnings the ratelimit lets through per interval. */
    int warnBurst();

    /** The texts the kernel has had. */
    enum Eras implements PageAllocTexts {
        /** 4.7 and 4.8: {@code check_new_page_bad} and {@code warn_alloc_failed}. */
        V4_7("pgalloctexts.V4_7", "nonzero _count", "PAGE_FLAGS_CHECK_AT_PREP flag set",
                "%s: page allocation failure: order:%d, mode:%s", "warn_alloc_failed",
                5 * Jiffies.HZ, 10),
        /** 4.18 and 4.19: {@code warn_alloc} prints the nodemask; the reasons are still 4.8's. */
        V4_18("pgalloctexts.V4_18", "nonzero _count", "PAGE_FLAGS_CHECK_AT_PREP flag set",
                Eras.WARN_ALLOC, "warn_alloc", 5 * Jiffies.HZ, 10),
        /** 5.9 and later: one {@code page_bad_reason} for both directions; one warning per 10 s. */
        V5_9("pgalloctexts.V5_9", "nonzero _refcount", "PAGE_FLAGS_CHECK_AT_PREP flag(s) set",
                Eras.WARN_ALLOC, "warn_alloc", 10 * Jiffies.HZ, 1);

        /** {@code warn_alloc} with a NULL nodemask, as the emulator's single node has. */
        private static final String WARN_ALLOC =
                "%s: page allocation failure: order:%d, mode:%s, nodemask=(null)";

        private final String policyName;
        private final String refcountReason;
        private final String flagsReason;
        private final String failureFormat;
        private final String warnFunction;
        private final long warnInterval;
        private final int warnBurst;

        @SuppressWarnings("checkstyle:ParameterNumber")
        Eras(String policyName, String refcountReason, String flagsReason, String failureFormat,
             String warnFunction, long warnInterval, int warnBurst) {
            this.policyName = policyName;
            this.refcountReason = refcountReason;
            this.flagsReason = flagsReason;
            this.failureFormat = failureFormat;
            this.warnFunction = warnFunction;
            this.warnInterval = warnInterval;
            this.warnBurst = warnBurst;
        }

        @Override
        public String policyName() {
            return policyName;
        }

        @Override
        public String newPageRefcountReason() {
            return refcountReason;
        }

        @Override
        public String newPageFlagsReason() {
            return flagsReason;
        }

        @Override
        public String allocFailure(String comm, int order, String mode) {
            return String.format(Locale.ROOT, failureFormat, comm, order, mode);
        }

        @Override
        public String warnFunction() {
            return warnFunction;
        }

        @Override
        public long warnInterval() {
            return warnInterval;
        }

        @Override
        public int warnBurst() {
            return warnBurst;
        }
    }
}
