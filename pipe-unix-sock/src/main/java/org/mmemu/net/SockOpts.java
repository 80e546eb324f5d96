package org.mmemu.net;

/**
 * {@code sock_setsockopt} for {@code SO_SNDBUF} and {@code SO_RCVBUF} (net/core/sock.c, the same
 * arithmetic in 4.8.15, 5.9.1 and 6.13.7's {@code __sock_set_rcvbuf}): the value, taken as
 * unsigned, is capped at {@code wmem_max} / {@code rmem_max}, doubled (for the {@code sk_buff}
 * overhead) and floored at {@code SOCK_MIN_SNDBUF} / {@code SOCK_MIN_RCVBUF}. The sysctls have
 * their boot values ({@code /proc/sys/net/core/*mem_default} and {@code *mem_max}: all
 * {@code SK_WMEM_MAX}, {@code _SK_MEM_PACKETS} (256) times {@code SKB_TRUESIZE(256)}, 212992 on
 * x86-64).
 */
public final class SockOpts {
    /** {@code SK_WMEM_MAX} (and {@code SK_RMEM_MAX}): 256 buffers of 256 bytes, as {@code truesize} counts them. */
    static final int SK_WMEM_MAX = 256 * SkBuffs.skbTruesize(256);
    /** {@code sysctl_wmem_default}: a new socket's {@code sk_sndbuf}. */
    public static final int WMEM_DEFAULT = SK_WMEM_MAX;
    /** {@code sysctl_wmem_max}. */
    public static final int WMEM_MAX = SK_WMEM_MAX;
    /** {@code sysctl_rmem_default}: a new socket's {@code sk_rcvbuf}. */
    public static final int RMEM_DEFAULT = SK_WMEM_MAX;
    /** {@code sysctl_rmem_max}. */
    public static final int RMEM_MAX = SK_WMEM_MAX;
    /** {@code TCP_SKB_MIN_TRUESIZE}: 2048 plus {@code SKB_DATA_ALIGN(sizeof(struct sk_buff))}. */
    static final int TCP_SKB_MIN_TRUESIZE = 2048 + SkBuffs.skbDataAlign(SkBuffs.SK_BUFF_SIZE);
    /** {@code SOCK_MIN_SNDBUF}. */
    public static final int SOCK_MIN_SNDBUF = TCP_SKB_MIN_TRUESIZE * 2;
    /** {@code SOCK_MIN_RCVBUF}. */
    public static final int SOCK_MIN_RCVBUF = TCP_SKB_MIN_TRUESIZE;

    private SockOpts() {
    }

    /** {@code sock_setsockopt(sock, SOL_SOCKET, opt, &val, sizeof(int))}; these options never fail. */
    static void sockSetsockopt(UnixSock sk, SockOpt opt, int val) {
        synchronized (sk.pairLock) {
            if (opt == SockOpt.SNDBUF) {
                sk.sndbuf = doubled(val, WMEM_MAX, SOCK_MIN_SNDBUF);
            } else {
                sk.rcvbuf = doubled(val, RMEM_MAX, SOCK_MIN_RCVBUF);
            }
        }
    }

    /** {@code max_t(int, min_t(int, min_t(u32, val, max), INT_MAX / 2) * 2, min)}. */
    private static int doubled(int val, int max, int min) {
        long capped = Math.min(Integer.toUnsignedLong(val), max);
        return Math.max((int) Math.min(capped, Integer.MAX_VALUE / 2) * 2, min);
    }
}
