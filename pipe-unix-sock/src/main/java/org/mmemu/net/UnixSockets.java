package org.mmemu.net;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import com.google.inject.Inject;
import org.mmemu.core.Errno;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.fs.FilesStruct;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;
import org.mmemu.slab.KmemCache;
import org.mmemu.slab.SlabCaches;
import org.mmemu.slab.SlabFlags;
import org.mmemu.slab.Slub;

/**
 * The life of an AF_UNIX socket (net/socket.c {@code __sys_socketpair}, {@code sock_alloc},
 * {@code sock_close}; net/core/sock.c {@code proto_register}, {@code sk_alloc}, {@code __sk_free};
 * net/unix/af_unix.c {@code unix_create1}, {@code unix_socketpair}, {@code unix_release_sock},
 * {@code unix_sock_destructor}): two socks of the {@code UNIX} cache, each with a
 * {@code struct socket} of {@code sock_inode_cache}, each other's peer, each behind a file in
 * {@code current}'s two lowest free fds. Closing one orphans it, shuts a stream peer down (with
 * {@code ECONNRESET} pending if unread data were left) and frees what was queued to it; its sock
 * lives on while the peer points at it or its buffers wait in the peer's queue.
 *
 * <p>Sizes are taken, not computed: {@code sizeof(struct unix_sock)} as 1024 and
 * {@code sizeof(struct socket_alloc)} as 640 (x86-64 slabinfo figures of these eras).
 * {@code sock_inode_cache} is {@code SLAB_ACCOUNT} in every era here (since 4.5); the
 * {@code UNIX} cache from 4.18 ({@link UnixConfig#protoSlabAccounted}). 6.13's separate
 * {@code UNIX-STREAM} cache (5.15) is not modelled: stream socks come from {@code UNIX} too.
 */
public final class UnixSockets implements FileOperations {
    /** {@code sizeof(struct unix_sock)}, taken as 1024. */
    static final int UNIX_SOCK_SIZE = 1024;
    /** {@code sizeof(struct socket_alloc)}, taken as 640. */
    static final int SOCKET_ALLOC_SIZE = 640;

    private final KmemCache unixCache;
    private final KmemCache sockInodeCache;
    private final Slub slub;
    private final SkBuffs skbs;
    private final Tasks tasks;
    private final UnixConfig config;
    private final UnixObjectCounts counts;

    @Inject
    UnixSockets(SlabCaches caches, Slub slub, SkBuffs skbs, Tasks tasks, UnixConfig config, UnixObjectCounts counts) {
        this.unixCache = caches.kmemCacheCreate("UNIX", UNIX_SOCK_SIZE, 0,
                SlabFlags.SLAB_HWCACHE_ALIGN | (config.protoSlabAccounted() ? SlabFlags.SLAB_ACCOUNT : 0));
        this.sockInodeCache = caches.kmemCacheCreate("sock_inode_cache", SOCKET_ALLOC_SIZE, 0,
                SlabFlags.SLAB_HWCACHE_ALIGN | SlabFlags.SLAB_RECLAIM_ACCOUNT | SlabFlags.SLAB_ACCOUNT);
        this.slub = slub;
        this.skbs = skbs;
        this.tasks = tasks;
        this.config = config;
        this.counts = counts;
    }

    /**
     * {@code socketpair(AF_UNIX, type, 0, sv)} for {@code current}.
     *
     * @return {fd, fd}; or a one-element array holding a negative errno: {@code -ENOMEM} when a
     *     socket could not be allocated, {@code -EMFILE} when the task has no two free fds
     */
    public int[] socketpair(SocketType type) {
        TaskStruct current = tasks.current();
        FilesStruct files = current.files();
        if (files == null) {
            return new int[] {Errno.EBADF.negative()};
        }
        long nofile = current.rlimit(Rlimits.RLIMIT_NOFILE);
        int fd1 = files.getUnusedFd(nofile);
        if (fd1 < 0) {
            return new int[] {fd1};
        }
        int fd2 = files.getUnusedFd(nofile);
        if (fd2 < 0) {
            files.putUnusedFd(fd1);
            return new int[] {fd2};
        }
        Object lock = new Object();
        UnixSock ska = unixCreate1(type, lock);
        UnixSock skb = ska == null ? null : unixCreate1(type, lock);
        if (skb == null) {
            if (ska != null) {
                unixReleaseSock(ska);
            }
            files.putUnusedFd(fd1);
            files.putUnusedFd(fd2);
            return new int[] {Errno.ENOMEM.negative()};
        }
        unixSocketpair(ska, skb);
        files.fdInstall(fd1, new File(this, ska, File.FMODE_READ | File.FMODE_WRITE));
        files.fdInstall(fd2, new File(this, skb, File.FMODE_READ | File.FMODE_WRITE));
        return new int[] {fd1, fd2};
    }

    /** {@code sock_alloc} and {@code unix_create1}: a socket and its sock, or null. */
    private UnixSock unixCreate1(SocketType type, Object lock) {
        long socket = slub.kmemCacheAlloc(sockInodeCache, GFP_KERNEL);
        if (socket == 0) {
            return null;
        }
        long sk = slub.kmemCacheZalloc(unixCache, GFP_KERNEL);
        if (sk == 0) {
            slub.kmemCacheFree(sockInodeCache, socket);
            return null;
        }
        counts.socks.incrementAndGet();
        return new UnixSock(sk, socket, type, lock, this, config.skAllocation());
    }

    /** {@code unix_socketpair}: each holds the other as its peer. */
    private static void unixSocketpair(UnixSock ska, UnixSock skb) {
        synchronized (ska.pairLock) {
            ska.refcnt++;
            skb.refcnt++;
            ska.peer = skb;
            skb.peer = ska;
        }
    }

    /** The sock behind {@code file}, or null if it is no AF_UNIX socket. */
    public UnixSock unixSock(File file) {
        return file.operations() == this ? (UnixSock) file.privateData() : null;
    }

    /** {@code sock_close}: the file's last reference releases the socket. */
    @Override
    public void release(File file) {
        unixReleaseSock(unixSock(file));
    }

    /**
     * {@code unix_release_sock(sk, 0)}, then {@code sock_release}'s free of the
     * {@code struct socket}.
     */
    private void unixReleaseSock(UnixSock sk) {
        synchronized (sk.pairLock) {
            sk.dead = true;
            sk.shutdown = UnixSock.SHUTDOWN_MASK;
            UnixSock skpair = sk.peer;
            sk.peer = null;
            if (skpair != null) {
                if (sk.type == SocketType.STREAM) {
                    skpair.shutdown = UnixSock.SHUTDOWN_MASK;
                    if (!sk.receiveQueue.isEmpty()) {
                        skpair.err = Errno.ECONNRESET.value();
                    }
                }
                skpair.sockPut();
            }
            SkBuff skb;
            while ((skb = sk.receiveQueue.poll()) != null) {
                skbs.kfreeSkb(skb);
            }
            slub.kmemCacheFree(sockInodeCache, sk.socketAddress);
            sk.sockPut();
        }
    }

    /** {@code __sk_free}: {@code unix_sock_destructor}, then {@code sk_prot_free}. */
    void skPrivFree(UnixSock sk) {
        slub.kmemCacheFree(unixCache, sk.address);
        counts.socks.decrementAndGet();
    }
}
