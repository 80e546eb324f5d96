package org.mmemu.net;

import org.mmemu.core.page.Page;

/**
 * {@code struct sk_buff} with its {@code skb_shared_info} (include/linux/skbuff.h), as far as an
 * AF_UNIX socket uses it: its fields are this object; its memory is an object of
 * {@code skbuff_head_cache} at {@link #head()}, a kmalloc'd linear area at {@link #data()}
 * ({@code headLen} bytes of data, then the shared info) and up to {@link SkBuffs#MAX_SKB_FRAGS}
 * page fragments, each a page (compound above order 0) held by one reference. Made and freed by
 * {@link SkBuffs}; once freed, the Java object (never seen outside this package) may be
 * {@link #init made again} for a new {@code sk_buff} of the same socket.
 */
public final class SkBuff {
    long head;
    long data;
    final Page[] frags = new Page[SkBuffs.MAX_SKB_FRAGS];
    final int[] fragSize = new int[SkBuffs.MAX_SKB_FRAGS];
    int nrFrags;
    /** {@code skb_headlen}: the data in the linear area. */
    int headLen;
    /** {@code skb->len}: all the data. */
    int len;
    /** {@code skb->truesize}: what the buffer costs its owner's {@code sk_wmem_alloc}. */
    int truesize;
    /** {@code skb->sk}: the sending socket, whose write memory this buffer counts in; null before {@code skb_set_owner_w}. */
    UnixSock owner;
    /** {@code UNIXCB(skb).consumed}: the bytes a stream reader already took. */
    int consumed;
    /** The next freed skb in its socket's {@link UnixSock#putFreeSkb cache}. */
    SkBuff nextFree;

    SkBuff(long head, long data) {
        this.head = head;
        this.data = data;
    }

    /** A freed skb's object for a new {@code sk_buff} and linear area: as new (its fragments are already gone). */
    void init(long newHead, long newData) {
        head = newHead;
        data = newData;
        headLen = 0;
        len = 0;
        truesize = 0;
        consumed = 0;
        nextFree = null;
    }

    /** The emulated address of the {@code sk_buff} object. */
    public long head() {
        return head;
    }

    /** The emulated address of the linear area ({@code skb->head}, here also {@code skb->data}). */
    public long data() {
        return data;
    }

    /** {@code skb->len}. */
    public int len() {
        return len;
    }

    /** {@code skb->truesize}. */
    public int truesize() {
        return truesize;
    }

    /** {@code skb_shinfo(skb)->nr_frags}. */
    public int nrFrags() {
        return nrFrags;
    }

    /** {@code skb_frag_page(&skb_shinfo(skb)->frags[i])}. */
    public Page frag(int i) {
        return frags[i];
    }

    @Override
    public String toString() {
        return "skb@" + Long.toHexString(head) + "(len " + len + ", truesize " + truesize + ", frags " + nrFrags + ")";
    }
}
