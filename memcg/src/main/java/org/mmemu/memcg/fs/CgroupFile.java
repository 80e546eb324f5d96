package org.mmemu.memcg.fs;

import org.mmemu.memcg.MemCgroup;

/**
 * An open cgroup file ({@code struct kernfs_open_file}): reads and writes go to the cgroup it
 * was opened in; once that cgroup is removed they fail with {@code ENODEV}. {@code memory.peak}
 * and {@code memory.swap.peak} keep their per-open-file peak here, so a write through one handle
 * resets the peak only that handle reports; {@code memory.pressure} marks its trigger here.
 */
public final class CgroupFile implements AutoCloseable {
    /** {@code OFP_PEAK_UNSET}: this handle never wrote memory.peak. */
    static final long PEAK_UNSET = -1;

    private final CgroupFs fs;
    private final MemCgroup cgroup;
    private final CgroupFileType type;
    private long peak = PEAK_UNSET;
    private volatile boolean psiTrigger;
    private boolean closed;

    CgroupFile(CgroupFs fs, MemCgroup cgroup, CgroupFileType type) {
        this.fs = fs;
        this.cgroup = cgroup;
        this.type = type;
    }

    /** The whole file, as one read from offset 0 returns it. */
    public String read() {
        checkOpen();
        return fs.show(this);
    }

    /** Writes {@code text} in one {@code write(2)}. */
    public void write(String text) {
        checkOpen();
        fs.store(this, text);
    }

    /** {@code release}: for a peak file, stops this handle's peak tracking. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            fs.released(this);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("file closed");
        }
    }

    MemCgroup cgroup() {
        return cgroup;
    }

    CgroupFileType type() {
        return type;
    }

    /** {@code ofp->value}, in pages. */
    long peak() {
        return peak;
    }

    void setPeak(long pages) {
        peak = pages;
    }

    /** {@code ctx->psi.trigger} is set: this handle wrote a memory.pressure trigger. */
    boolean hasPsiTrigger() {
        return psiTrigger;
    }

    void setPsiTrigger() {
        psiTrigger = true;
    }

    @Override
    public String toString() {
        return cgroup.entryPath(type.fileName());
    }
}
