package org.mmemu.net;

import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_DIRECT_RECLAIM;
import static org.mmemu.core.page.Gfp.__GFP_DMA;
import static org.mmemu.core.page.Gfp.__GFP_NOMEMALLOC;
import static org.mmemu.core.page.Gfp.__GFP_NORETRY;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.maccess.KernelMemory;
import org.mmemu.core.mem.PhysicalMemory;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.slab.KmemCache;
import org.mmemu.slab.Kmalloc;
import org.mmemu.slab.SlabCaches;
import org.mmemu.slab.SlabFlags;
import org.mmemu.slab.Slub;

/**
 * Socket buffers (net/core/skbuff.c {@code skb_init}, {@code __alloc_skb}, {@code kmalloc_reserve},
 * {@code alloc_skb_with_frags}, {@code kfree_skb} / {@code consume_skb}, {@code skb_release_data},
 * {@code skb_copy_datagram_from_iter}, {@code skb_copy_datagram_iter}; net/core/sock.c
 * {@code skb_set_owner_w}, {@code sock_wfree}). The {@code sk_buff} comes from
 * {@code skbuff_head_cache}, the linear area from kmalloc ({@code SKB_DATA_ALIGN} of the data plus
 * the shared info, the object's {@code ksize} then counted whole in {@code truesize}), the
 * fragments from the page allocator, all with the caller's gfp (a socket's
 * {@code sk_allocation}), so in the sender's context and charged as that gfp says. Freeing
 * gives each back, from whoever frees: each allocation is uncharged from the cgroup it was
 * charged to.
 *
 * <p>Sizes are x86-64's: {@code sizeof(struct skb_shared_info)} 320 (17 fragments),
 * {@code sizeof(struct sk_buff)} taken as 232 in every era (its {@code SKB_DATA_ALIGN}, 256, is
 * what {@code truesize} counts, and the cache's cache-line-aligned slot, either way).
 */
public final class SkBuffs {
    /** {@code MAX_SKB_FRAGS} with 4 KiB pages. */
    public static final int MAX_SKB_FRAGS = 17;
    /** {@code SMP_CACHE_BYTES} on x86-64. */
    static final int SMP_CACHE_BYTES = 64;
    /** {@code sizeof(struct skb_shared_info)}. */
    static final int SHINFO_SIZE = 320;
    /** {@code sizeof(struct sk_buff)}, taken as 232. */
    static final int SK_BUFF_SIZE = 232;
    /** {@code SKB_MAX_HEAD(0)}: the most data a one-page linear area holds. */
    public static final int SKB_MAX_HEAD_0 = skbMaxOrder(0, 0);
    /** {@code SKB_MAX_ALLOC}: the most data an order-2 linear area holds. */
    public static final int SKB_MAX_ALLOC = skbMaxOrder(0, 2);

    private final KmemCache skbuffHeadCache;
    private final Slub slub;
    private final Kmalloc kmalloc;
    private final PageAllocator allocator;
    private final PageRefs refs;
    private final KernelMemory memory;
    private final PhysicalMemory ram;
    private final UnixConfig config;
    private final UnixObjectCounts counts;

    @Inject
    @SuppressWarnings("checkstyle:ParameterNumber")
    SkBuffs(SlabCaches caches, Slub slub, Kmalloc kmalloc, PageAllocator allocator, PageRefs refs, KernelMemory memory,
            PhysicalMemory ram, UnixConfig config, UnixObjectCounts counts) {
        this.skbuffHeadCache = caches.kmemCacheCreate("skbuff_head_cache", SK_BUFF_SIZE, 0,
                SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_PANIC);
        this.slub = slub;
        this.kmalloc = kmalloc;
        this.allocator = allocator;
        this.refs = refs;
        this.memory = memory;
        this.ram = ram;
        this.config = config;
        this.counts = counts;
    }

    /** {@code SKB_DATA_ALIGN(x)}. */
    static int skbDataAlign(int x) {
        return x + SMP_CACHE_BYTES - 1 & -SMP_CACHE_BYTES;
    }

    /** {@code SKB_TRUESIZE(x)}: {@code x} bytes of data with the aligned {@code sk_buff} and shared info. */
    static int skbTruesize(int x) {
        return x + skbDataAlign(SK_BUFF_SIZE) + skbDataAlign(SHINFO_SIZE);
    }

    /** {@code SKB_MAX_ORDER(x, order)}: {@code SKB_WITH_OVERHEAD((PAGE_SIZE << order) - x)}. */
    static int skbMaxOrder(int x, int order) {
        return (MemMap.PAGE_SIZE << order) - x - skbDataAlign(SHINFO_SIZE);
    }

    /** {@code skbuff_head_cache}. */
    public KmemCache skbuffHeadCache() {
        return skbuffHeadCache;
    }

    /**
     * {@code __alloc_skb(size, gfp, 0, NUMA_NO_NODE)} for {@code sk}: an skb whose linear area
     * has room for {@code size} bytes, or null (the head is given back if the data cannot be
     * had). Its Java object is one {@code sk} freed before, if any ({@link UnixSock#takeFreeSkb}).
     */
    SkBuff allocSkb(UnixSock sk, int size, int gfp) {
        long head = slub.kmemCacheAlloc(skbuffHeadCache, gfp & ~__GFP_DMA);
        if (head == 0) {
            return null;
        }
        long data = kmalloc.kmalloc(skbDataAlign(size) + skbDataAlign(SHINFO_SIZE), gfp | __GFP_NOMEMALLOC | __GFP_NOWARN);
        if (data == 0) {
            slub.kmemCacheFree(skbuffHeadCache, head);
            return null;
        }
        SkBuff skb = sk.takeFreeSkb();
        if (skb == null) {
            skb = new SkBuff(head, data);
        } else {
            skb.init(head, data);
        }
        counts.skbs.incrementAndGet();
        int room = (int) kmalloc.ksize(data) - skbDataAlign(SHINFO_SIZE);
        skb.truesize = skbTruesize(room);
        return skb;
    }

    /**
     * {@code alloc_skb_with_frags(headerLen, dataLen, maxPageOrder, &err, gfp)}: a linear area
     * of {@code headerLen} and {@code dataLen} bytes in page fragments of at most
     * {@code maxPageOrder}, high orders tried without direct reclaim (and, until 5.x, with
     * {@code __GFP_NORETRY}), each fragment's pages counted in {@code truesize}.
     *
     * @param sk the sending socket, whose {@link UnixSock#allocErr} gets the errno on failure:
     *     {@code -EMSGSIZE} for more fragments than an skb holds, {@code -ENOBUFS} when memory
     *     could not be had
     */
    SkBuff allocSkbWithFrags(int headerLen, int dataLen, int maxPageOrder, UnixSock sk, int gfp) {
        sk.allocErr = Errno.EMSGSIZE.negative();
        int npages = dataLen + MemMap.PAGE_SIZE - 1 >> MemMap.PAGE_SHIFT;
        if (config.fragsStepDown() ? dataLen > MAX_SKB_FRAGS * (MemMap.PAGE_SIZE << maxPageOrder) : npages > MAX_SKB_FRAGS) {
            return null;
        }
        sk.allocErr = Errno.ENOBUFS.negative();
        SkBuff skb = allocSkb(sk, headerLen, gfp);
        if (skb == null) {
            return null;
        }
        int highGfp = gfp & ~__GFP_DIRECT_RECLAIM | __GFP_COMP | __GFP_NOWARN | (config.fragsStepDown() ? 0 : __GFP_NORETRY);
        int order = maxPageOrder;
        int left = dataLen;
        while (left > 0) {
            if (config.fragsStepDown() && skb.nrFrags == MAX_SKB_FRAGS - 1) {
                kfreeSkb(skb);
                return null;
            }
            int pagesLeft = left + MemMap.PAGE_SIZE - 1 >> MemMap.PAGE_SHIFT;
            while (order > 0 && pagesLeft < 1 << order) {
                order--;
            }
            Page page = order > 0 ? allocator.allocPages(highGfp, order) : allocator.allocPage(gfp);
            if (page == null) {
                if (order == 0) {
                    kfreeSkb(skb);
                    return null;
                }
                order = config.fragsStepDown() ? order - 1 : 0;
                continue;
            }
            int chunk = Math.min(left, MemMap.PAGE_SIZE << order);
            skb.frags[skb.nrFrags] = page;
            skb.fragSize[skb.nrFrags++] = chunk;
            skb.truesize += MemMap.PAGE_SIZE << order;
            left -= chunk;
        }
        return skb;
    }

    /**
     * {@code sock_alloc_send_pskb(sk, headerLen, dataLen, 1, &err, maxPageOrder)}, never
     * waiting: a pending socket error, {@code -EPIPE} once sending is shut down, {@code -EAGAIN}
     * while the socket's buffers already use up {@code sk_sndbuf} (one buffer may overshoot it),
     * else an skb from {@link #allocSkbWithFrags} with {@code sk_allocation}, owned by {@code sk}.
     * Under the socket's lock; on failure (null) the errno is in {@link UnixSock#allocErr}.
     */
    SkBuff sockAllocSendPskb(UnixSock sk, int headerLen, int dataLen, int maxPageOrder) {
        if (sk.err != 0) {
            sk.allocErr = -sk.err;
            sk.err = 0;
            return null;
        }
        if ((sk.shutdown & UnixSock.SEND_SHUTDOWN) != 0) {
            sk.allocErr = Errno.EPIPE.negative();
            return null;
        }
        if (sk.wmemAlloc - 1 >= sk.sndbuf) {
            sk.allocErr = Errno.EAGAIN.negative();
            return null;
        }
        SkBuff skb = allocSkbWithFrags(headerLen, dataLen, maxPageOrder, sk, sk.allocation);
        if (skb != null) {
            skbSetOwnerW(skb, sk);
        }
        return skb;
    }

    /** {@code skb_set_owner_w(skb, sk)}: the buffer's {@code truesize} counts in the sender's write memory. */
    private static void skbSetOwnerW(SkBuff skb, UnixSock sk) {
        skb.owner = sk;
        sk.wmemAlloc += skb.truesize;
    }

    /**
     * {@code kfree_skb} / {@code consume_skb}: the destructor ({@code sock_wfree}: the write
     * memory back to its owner, whose last unit frees the sock), then each fragment's page
     * reference, the linear area and the {@code sk_buff}, whose Java object its owner keeps
     * for its next skb ({@link UnixSock#putFreeSkb}: nothing else holds a freed one). Under the
     * owner's pair lock, as every free of an AF_UNIX skb is.
     */
    void kfreeSkb(SkBuff skb) {
        UnixSock owner = skb.owner;
        if (owner != null) {
            owner.sockWfree(skb.truesize);
            skb.owner = null;
        }
        for (int i = 0; i < skb.nrFrags; i++) {
            refs.putPage(skb.frags[i]);
            skb.frags[i] = null;
        }
        skb.nrFrags = 0;
        kmalloc.kfree(skb.data);
        slub.kmemCacheFree(skbuffHeadCache, skb.head);
        counts.skbs.decrementAndGet();
        if (owner != null) {
            owner.putFreeSkb(skb);
        }
    }

    /**
     * {@code skb_put(skb, headLen)} then {@code skb_copy_datagram_from_iter(skb, 0, from, len)}:
     * {@code len} bytes of {@code src} from {@code offset}, the first {@code headLen} into the
     * linear area, the rest into the fragments.
     */
    void copyFrom(SkBuff skb, int headLen, byte[] src, int offset, int len) {
        skb.headLen = headLen;
        skb.len = len;
        memory.write(skb.data, src, offset, headLen);
        int done = headLen;
        for (int i = 0; i < skb.nrFrags; i++) {
            copyFrag(skb.frags[i], 0, src, offset + done, skb.fragSize[i], true);
            done += skb.fragSize[i];
        }
    }

    /**
     * {@code copy_page_from_iter} / {@code copy_page_to_iter} on a fragment: {@code len} bytes
     * at {@code from} of the (compound) page and {@code buf} at {@code offset}, a frame at a
     * time straight in {@link PhysicalMemory}, so that a whole frame is written whole (a
     * recycled array, no poison fill) and no access object is made per call.
     */
    private void copyFrag(Page page, int from, byte[] buf, int offset, int len, boolean toPage) {
        long pfn = page.pfn() + (from >> MemMap.PAGE_SHIFT);
        int in = from & MemMap.PAGE_SIZE - 1;
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, MemMap.PAGE_SIZE - in);
            if (toPage) {
                ram.write(pfn, in, buf, offset + done, n);
            } else {
                ram.read(pfn, in, buf, offset + done, n);
            }
            done += n;
            pfn++;
            in = 0;
        }
    }

    /** {@code skb_copy_datagram_iter(skb, from, to, len)}: {@code len} bytes from {@code from} into {@code dst} at {@code offset}. */
    void copyTo(SkBuff skb, int from, byte[] dst, int offset, int len) {
        int pos = from;
        int out = offset;
        int left = len;
        if (pos < skb.headLen) {
            int n = Math.min(left, skb.headLen - pos);
            memory.read(skb.data + pos, dst, out, n);
            pos += n;
            out += n;
            left -= n;
        }
        int fragStart = skb.headLen;
        for (int i = 0; i < skb.nrFrags && left > 0; i++) {
            int fragEnd = fragStart + skb.fragSize[i];
            if (pos < fragEnd) {
                int n = Math.min(left, fragEnd - pos);
                copyFrag(skb.frags[i], pos - fragStart, dst, out, n, false);
                pos += n;
                out += n;
                left -= n;
            }
            fragStart = fragEnd;
        }
    }
}
