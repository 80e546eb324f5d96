package org.mmemu.net;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many socks and skbs are allocated and not yet freed, kept by {@link UnixSockets} and
 * {@link SkBuffs} for {@link UnixSockCheck} (the kernel's {@code unix_nr_socks} counts the
 * former).
 */
final class UnixObjectCounts {
    /** {@code unix_nr_socks}. */
    final AtomicInteger socks = new AtomicInteger();
    /** The skbs of AF_UNIX sockets. */
    final AtomicInteger skbs = new AtomicInteger();
}
