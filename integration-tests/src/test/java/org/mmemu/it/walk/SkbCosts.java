package org.mmemu.it.walk;

import org.mmemu.core.page.MemMap;
import org.mmemu.kernel.Kernel;
import org.mmemu.memcg.ObjCgroupVector;
import org.mmemu.net.SkBuffs;
import org.mmemu.net.UnixSockets;
import org.mmemu.slab.KmemCache;
import org.mmemu.slab.Kmalloc;
import org.mmemu.slab.SlabCaches;

/**
 * What the walk's AF_UNIX objects cost, as the model needs it: the layout of a socket buffer
 * (net/core/skbuff.c {@code __alloc_skb}, {@code alloc_skb_with_frags}; net/unix/af_unix.c
 * {@code unix_stream_sendmsg}, {@code unix_dgram_sendmsg}, 6.13.7 and 4.8.15 alike for the
 * sizes walked) is computed here from x86-64's struct sizes; the sizes of the slab objects it is
 * made of are the emulator's caches' ({@link KmemCache#size()}, as {@link Kmalloced} takes
 * them), for their {@code obj_full_size} from 5.9.
 */
final class SkbCosts {
    /** {@code SKB_DATA_ALIGN(sizeof(struct skb_shared_info))} on x86-64. */
    static final int SHINFO = 320;
    /** {@code SKB_DATA_ALIGN(sizeof(struct sk_buff))} on x86-64, as {@code truesize} counts it. */
    static final int SK_BUFF = 256;
    /** {@code SMP_CACHE_BYTES}. */
    private static final int CACHE_LINE = 64;
    /** {@code SKB_MAX_HEAD(0)}: the data a one-page linear area holds. */
    static final int MAX_HEAD = MemMap.PAGE_SIZE - SHINFO;
    /** {@code UNIX_SKB_FRAGS_SZ}: what a stream skb carries in fragments at most. */
    static final int STREAM_FRAGS = 32768;
    /** The largest datagram whose linear area is a kmalloc slab object: no fragments, no {@code kmalloc_large}. */
    static final int MAX_SLAB_DGRAM = Kmalloc.KMALLOC_MAX_CACHE_SIZE - SHINFO;

    /** One skb: its linear data, its fragments' bytes (whole pages), its {@code truesize}, its slab bytes. */
    record Skb(int len, int headLen, int fragBytes, int truesize, long slabBytes) {
    }

    private final Kernel k;
    private long sockBytes = -1;

    SkbCosts(Kernel k) {
        this.k = k;
    }

    /**
     * The skb a send of {@code len} bytes makes, {@code dataLen} of them in fragments: a head
     * of {@code skbuff_head_cache}, a kmalloc'd linear area of the rest and the shared info
     * (its {@code ksize} counted whole in {@code truesize}), the fragments in pages whatever
     * their orders (the order fallback changes how many pages, never their sum).
     */
    Skb skb(int len, int dataLen) {
        int headLen = len - dataLen;
        int linear = align(headLen) + SHINFO;
        KmemCache data = k.get(Kmalloc.class).kmallocSlab(linear);
        int frags = dataLen + MemMap.PAGE_SIZE - 1 & -MemMap.PAGE_SIZE;
        long slab = data.size() + k.get(SkBuffs.class).skbuffHeadCache().size() + 2L * ObjCgroupVector.POINTER_SIZE;
        return new Skb(len, headLen, frags, data.size() + SK_BUFF + frags, slab);
    }

    /** {@code unix_stream_sendmsg}'s next skb for {@code left} bytes with {@code sndbuf}. */
    Skb streamSkb(int left, int sndbuf) {
        int size = Math.min(Math.min(left, (sndbuf >> 1) - 64), MAX_HEAD + STREAM_FRAGS);
        int dataLen = Math.min(size, Math.max(0, size - MAX_HEAD) + MemMap.PAGE_SIZE - 1 & -MemMap.PAGE_SIZE);
        return skb(size, dataLen);
    }

    /** {@code unix_dgram_sendmsg}'s skb for a message of at most {@link #MAX_SLAB_DGRAM}: all linear. */
    Skb dgramSkb(int len) {
        return skb(len, 0);
    }

    /**
     * From 5.9, what one end of a pair charges its creator: the {@code struct socket} of
     * {@code sock_inode_cache} and the {@code unix_sock} of {@code UNIX} (accounted from 4.18),
     * each object's {@code obj_full_size}.
     */
    long sockBytes(ChargeRules rules) {
        if (sockBytes < 0) {
            k.get(UnixSockets.class);
            long bytes = 0;
            for (KmemCache c : k.get(SlabCaches.class).caches()) {
                boolean counted = c.name().equals("sock_inode_cache") || rules.unixSockCharged() && c.name().equals("UNIX");
                if (c.isRootCache() && counted) {
                    bytes += c.size() + ObjCgroupVector.POINTER_SIZE;
                }
            }
            sockBytes = bytes;
        }
        return sockBytes;
    }

    private static int align(int x) {
        return x + CACHE_LINE - 1 & -CACHE_LINE;
    }
}
