package org.mmemu.it.walk;

/** The model's {@code struct pipe_buffer}: a page, the bytes queued in it, whether writes may merge. */
final class ModelBuffer {
    final ModelPage page;
    int offset;
    int len;
    boolean canMerge;

    ModelBuffer(ModelPage page, int offset, int len, boolean canMerge) {
        this.page = page;
        this.offset = offset;
        this.len = len;
        this.canMerge = canMerge;
    }

    /** {@code *obuf = *ibuf} of tee and a partial splice: the same page, one more reference. */
    ModelBuffer share(boolean mergeable) {
        page.refs++;
        return new ModelBuffer(page, offset, len, canMerge && mergeable);
    }
}
