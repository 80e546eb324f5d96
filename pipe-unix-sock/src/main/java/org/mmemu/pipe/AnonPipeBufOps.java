package org.mmemu.pipe;

import com.google.inject.Inject;
import org.mmemu.core.alloc.PageRefs;
import org.mmemu.core.page.Page;

/**
 * {@code anon_pipe_buf_ops} (fs/pipe.c): what happens to the page of a pipe buffer when the
 * buffer is emptied or copied. {@link #release} is {@code anon_pipe_buf_release}: a page
 * nobody else holds becomes the pipe's spare ({@code tmp_page}) if it has none, otherwise the
 * buffer's reference goes with {@code put_page}, whose last one frees the page and uncharges
 * the cgroup recorded in it, whichever task runs. {@link #get} is {@code generic_pipe_buf_get}
 * ({@code get_page}), how tee and a partial splice share a page.
 */
public final class AnonPipeBufOps {
    private final PageRefs refs;

    @Inject
    AnonPipeBufOps(PageRefs refs) {
        this.refs = refs;
    }

    /** {@code anon_pipe_buf_release(pipe, buf)}; the slot is left empty. Under the pipe's lock. */
    void release(PipeInodeInfo pipe, PipeBuffer buf) {
        Page page = buf.page;
        buf.page = null;
        if (refs.pageCount(page) == 1 && pipe.tmpPage == null) {
            pipe.tmpPage = page;
        } else {
            refs.putPage(page);
        }
    }

    /** {@code generic_pipe_buf_get(pipe, buf)}: one more reference to the buffer's page. */
    void get(PipeBuffer buf) {
        refs.getPage(buf.page);
    }
}
