package org.mmemu.it.walk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.mmemu.core.page.MemMap;

/**
 * The model's pipe: its ring of buffers and spare page ({@code tmp_page}) as fs/pipe.c and
 * fs/splice.c move them ({@code pipe_write}, {@code pipe_read}, {@code anon_pipe_buf_release},
 * {@code link_pipe}, {@code splice_pipe_to_pipe}), so that the model knows which pages each call
 * allocates, shares and frees, and so who is charged. Both ends are held by the same tasks (the
 * walk opens and closes them together), so a pipe always has readers and writers while it lives.
 */
final class ModelPipe {
    static final int PAGE = MemMap.PAGE_SIZE;

    final String id;
    final ModelCgroup objectOwner;
    final long objectBytes;
    final int slots;
    final Deque<ModelBuffer> ring = new ArrayDeque<>();
    ModelPage tmpPage;
    int holders = 1;

    /** Why a write stopped. */
    enum Stop { DONE, FULL, NO_PAGE }

    /** What the model says a write did. */
    record Written(long bytes, Stop stop) {
    }

    ModelPipe(String id, ModelCgroup objectOwner, long objectBytes, int slots) {
        this.id = id;
        this.objectOwner = objectOwner;
        this.objectBytes = objectBytes;
        this.slots = slots;
    }

    boolean full() {
        return ring.size() >= slots;
    }

    /**
     * {@code pipe_write} of {@code total} bytes by a task of {@code writer}, of which the kernel
     * wrote {@code observed}: a new page that the model would need once {@code observed} bytes
     * are in is taken as a failed allocation ({@link Stop#NO_PAGE}), which the caller checks.
     */
    Written write(Model m, ModelCgroup writer, long total, long observed) {
        long ret = 0;
        int chars = (int) (total % PAGE);
        if (chars != 0 && !ring.isEmpty()) {
            ModelBuffer last = ring.peekLast();
            if (last.canMerge && last.offset + last.len + chars <= PAGE) {
                last.len += chars;
                ret = chars;
                if (ret == total) {
                    return new Written(ret, Stop.DONE);
                }
            }
        }
        while (!full()) {
            ModelPage page = tmpPage;
            if (page == null) {
                if (ret == observed) {
                    return new Written(ret, Stop.NO_PAGE);
                }
                page = m.allocPage(m.rules.pipePagesCharged() ? writer : null);
            }
            tmpPage = null;
            int copied = (int) Math.min(PAGE, total - ret);
            ring.addLast(new ModelBuffer(page, 0, copied, true));
            ret += copied;
            if (ret == total) {
                return new Written(ret, Stop.DONE);
            }
        }
        return new Written(ret, Stop.FULL);
    }

    /** {@code pipe_read} of up to {@code max} bytes: how many it returns. */
    long read(Model m, long max) {
        long ret = 0;
        while (!ring.isEmpty() && ret < max) {
            ModelBuffer buf = ring.peekFirst();
            int chars = (int) Math.min(buf.len, max - ret);
            ret += chars;
            buf.offset += chars;
            buf.len -= chars;
            if (buf.len == 0) {
                ring.removeFirst();
                release(m, buf.page);
            }
        }
        return ret;
    }

    /** {@code anon_pipe_buf_release}: a page no one else holds becomes the spare, if there is none. */
    private void release(Model m, ModelPage page) {
        if (page.refs == 1 && tmpPage == null) {
            tmpPage = page;
        } else {
            m.putPage(page);
        }
    }

    /** {@code link_pipe} into {@code out}: copies of the buffers, sharing their pages. */
    long tee(ModelPipe out, long len, boolean mergeable) {
        long ret = 0;
        for (ModelBuffer ibuf : List.copyOf(ring)) {
            if (ret >= len || out.full()) {
                break;
            }
            ModelBuffer obuf = ibuf.share(mergeable);
            obuf.len = (int) Math.min(obuf.len, len - ret);
            out.ring.addLast(obuf);
            ret += obuf.len;
        }
        return ret;
    }

    /** {@code splice_pipe_to_pipe} into {@code out}: whole buffers move, a partial one is shared. */
    long splice(ModelPipe out, long len, boolean mergeable) {
        long ret = 0;
        while (ret < len && !ring.isEmpty() && !out.full()) {
            ModelBuffer ibuf = ring.peekFirst();
            ModelBuffer obuf;
            if (len - ret >= ibuf.len) {
                obuf = ring.removeFirst();
            } else {
                obuf = ibuf.share(mergeable);
                obuf.len = (int) (len - ret);
                ibuf.offset += obuf.len;
                ibuf.len -= obuf.len;
            }
            out.ring.addLast(obuf);
            ret += obuf.len;
        }
        return ret;
    }

    /** {@code free_pipe_info}: every buffer's page put, the spare freed, the objects uncharged. */
    void free(Model m) {
        for (ModelBuffer buf : new ArrayList<>(ring)) {
            m.putPage(buf.page);
        }
        ring.clear();
        if (tmpPage != null) {
            m.putPage(tmpPage);
            tmpPage = null;
        }
        m.uncharge(objectOwner, objectBytes);
    }
}
