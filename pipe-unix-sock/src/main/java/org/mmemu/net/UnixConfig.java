package org.mmemu.net;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;

/**
 * What an AF_UNIX socket does differently from one release to the next ({@link UnixEras} picks
 * one per release; net/unix/af_unix.c {@code unix_create1}, net/core/sock.c
 * {@code proto_register}, net/core/skbuff.c {@code alloc_skb_with_frags} of each era).
 *
 * @param skAllocation {@code sk->sk_allocation}, the gfp of every skb head, linear data and page
 *     fragment: {@code GFP_KERNEL} (sock_init_data's) until 4.7, {@code GFP_KERNEL_ACCOUNT} from
 *     4.8 (3aa9799e1364 "af_unix: charge buffers to kmemcg", set in {@code unix_create1})
 * @param protoSlabAccounted whether {@code proto_register} creates the {@code UNIX} sock cache
 *     with {@code SLAB_ACCOUNT}: not in 4.8 (sk_alloc's own {@code GFP_KERNEL} then leaves the
 *     sock uncharged), yes from 4.18 (Shakeel Butt's "net, mm: account sock objects to kmemcg",
 *     June 2018)
 * @param fragsStepDown how {@code alloc_skb_with_frags} falls back when a high-order fragment
 *     cannot be had: until 5.x ({@code npages}-driven) the rest goes in order-0 pages; in 6.x
 *     (data_len-driven) it tries the next lower order
 */
public record UnixConfig(int skAllocation, boolean protoSlabAccounted, boolean fragsStepDown) {
    /** 4.7: nothing of a socket's buffers is accounted. */
    public static final UnixConfig V4_7 = new UnixConfig(GFP_KERNEL, false, false);
    /** 4.8: the buffers are accounted through {@code sk_allocation}; the sock is not. */
    public static final UnixConfig V4_8 = new UnixConfig(GFP_KERNEL_ACCOUNT, false, false);
    /** 4.18 to 5.11: the sock cache is accounted too. */
    public static final UnixConfig V4_18 = new UnixConfig(GFP_KERNEL_ACCOUNT, true, false);
    /** 6.13: fragments fall back an order at a time. */
    public static final UnixConfig LATEST = new UnixConfig(GFP_KERNEL_ACCOUNT, true, true);
}
