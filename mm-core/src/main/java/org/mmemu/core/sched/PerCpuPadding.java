package org.mmemu.core.sched;

/**
 * {@link PerCpu#PAD_LONGS} longs in front of a per-CPU object's own fields: a per-CPU class
 * extends it, and a final subclass of that adds as many longs after its fields (subclass fields
 * are laid out after the superclass's). The padding keeps another CPU's hot data off the cache
 * lines of the object's fields wherever a collector puts it, next to a hot {@code Page} included.
 */
@SuppressWarnings("unused")
public abstract class PerCpuPadding {
    /** Takes the 4-byte gap after a 12-byte object header, so no subclass field lands there. */
    private int gap;
    private long p00, p01, p02, p03, p04, p05, p06, p07;
    private long p08, p09, p10, p11, p12, p13, p14, p15;

    protected PerCpuPadding() {
    }
}
