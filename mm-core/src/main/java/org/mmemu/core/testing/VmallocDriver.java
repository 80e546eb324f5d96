package org.mmemu.core.testing;

import java.util.concurrent.atomic.AtomicInteger;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.core.mm.VmOperations;
import org.mmemu.core.mm.Vma;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.vmalloc.Vmalloc;

/**
 * A driver to map in tests: its files' {@code ->mmap} maps a {@code vmalloc_user} area from the
 * vma's {@code vm_pgoff} with {@code remap_vmalloc_range}, the way {@code bpf_map_mmap} maps an
 * mmapable array, and its {@code vm_ops} count the vmas that map it ({@code ->open},
 * {@code ->close}). The last {@code fput} of its file frees the area, so a test sees each
 * mapping keep the file, and the file keep the memory, alive.
 */
public final class VmallocDriver implements FileOperations, VmOperations {
    private final Vmalloc vmalloc;
    private final long area;
    private final AtomicInteger mappings = new AtomicInteger();
    private final AtomicInteger opens = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private volatile boolean released;

    /** A driver with {@code pages} pages of {@code vmalloc_user} memory; the area must be had. */
    public VmallocDriver(Vmalloc vmalloc, int pages) {
        this.vmalloc = vmalloc;
        this.area = vmalloc.vmallocUser((long) pages << MemMap.PAGE_SHIFT);
        if (area == 0) {
            throw new IllegalStateException("vmalloc_user of " + pages + " pages failed");
        }
    }

    /** A file of this driver opened with {@code mode} ({@code FMODE_*}): one reference. */
    public File open(int mode) {
        return new File(this, this, mode);
    }

    /** The vmalloc address of the driver's memory. */
    public long area() {
        return area;
    }

    /** Page {@code i} of the driver's memory. */
    public Page page(int i) {
        return vmalloc.vmallocToPage(area + ((long) i << MemMap.PAGE_SHIFT));
    }

    /** The vmas mapping the driver now: mmaps and opens, less closes. */
    public int mappings() {
        return mappings.get();
    }

    /** {@code ->open} calls so far. */
    public int opens() {
        return opens.get();
    }

    /** {@code ->close} calls so far. */
    public int closes() {
        return closes.get();
    }

    /** Whether the last reference to the file went, and the area with it. */
    public boolean released() {
        return released;
    }

    @Override
    public int mmap(File file, Vma vma) {
        vma.setVmOps(this);
        vma.setPrivateData(this);
        int ret = vmalloc.remapVmallocRange(vma, area, vma.pgoff());
        if (ret == 0) {
            mappings.incrementAndGet();
        }
        return ret;
    }

    @Override
    public void open(Vma vma) {
        opens.incrementAndGet();
        mappings.incrementAndGet();
    }

    @Override
    public void close(Vma vma) {
        closes.incrementAndGet();
        mappings.decrementAndGet();
    }

    @Override
    public void release(File file) {
        vmalloc.vfree(area);
        released = true;
    }

    @Override
    public String toString() {
        return "vmalloc driver@" + Long.toHexString(area);
    }
}
