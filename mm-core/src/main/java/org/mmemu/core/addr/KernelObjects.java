package org.mmemu.core.addr;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Locale;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.MemMap;

/**
 * Emulated kernel addresses for Java objects that the kernel points to from page words
 * ({@code mem_cgroup}, {@code obj_cgroup}, obj_cgroup vectors, kmem caches). Addresses are
 * 64-byte aligned, so the six low bits are free for tags such as {@code MEMCG_DATA_KMEM}.
 *
 * <pre>
 *  address = KOBJ_START + index * 64      (a new index, or one released by the quarantine)
 * </pre>
 *
 * <p>Freeing leaves a tombstone, so resolving a freed address is reported the way KASAN reports
 * a use-after-free (a {@link KernelBug}), never silently answered. As in KASAN, the tombstone
 * stays until {@link #QUARANTINE_OBJECTS} later frees have pushed it out of the
 * {@link Quarantine}; then the slot is empty (a wild access) until an object is registered in
 * it again, so a machine that allocates and frees for its whole life keeps a bounded table.
 * Lookups take no lock.
 */
public final class KernelObjects {
    /** Alignment of every emulated object address. */
    public static final int ALIGN = 64;
    private static final int SHIFT = 6;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /** The freed objects whose addresses stay poisoned before their slots are reused. */
    public static final int QUARANTINE_OBJECTS = 1 << 16;

    private volatile Object[] table = new Object[1024];
    private int next;
    private final Quarantine quarantine;
    /** Slots the quarantine released, reused last-released first. */
    private int[] released = new int[16];
    private int nrReleased;

    /** A table whose quarantine holds {@link #QUARANTINE_OBJECTS} freed objects. */
    public KernelObjects() {
        this(QUARANTINE_OBJECTS);
    }

    /** A table whose quarantine holds {@code quarantineObjects} freed objects (at least 1). */
    KernelObjects(int quarantineObjects) {
        this.quarantine = new Quarantine(quarantineObjects);
    }

    /** A freed slot: what lived there, for the use-after-free report. */
    private record Freed(String what) {
    }

    /**
     * {@code kmalloc} for an emulated object: an aligned address naming {@code object}, in a slot
     * never used before or one the quarantine released.
     */
    public synchronized long register(Object object) {
        int index = nrReleased > 0 ? released[--nrReleased] : newIndex();
        SLOT.setRelease(table, index, object);
        return MemMap.KOBJ_START + ((long) index << SHIFT);
    }

    private int newIndex() {
        if (next == table.length) {
            Object[] bigger = new Object[table.length * 2];
            System.arraycopy(table, 0, bigger, 0, table.length);
            table = bigger;
        }
        return next++;
    }

    /**
     * {@code kfree}: the address resolves to a use-after-free report while it is quarantined;
     * the oldest quarantined slot is released for reuse once the quarantine is full.
     */
    public synchronized void free(long address) {
        Object o = resolve(address, Object.class);
        int index = index(address);
        SLOT.setRelease(table, index, new Freed(o.getClass().getSimpleName() + " " + o));
        int oldest = quarantine.put(index);
        if (oldest >= 0) {
            SLOT.setRelease(table, oldest, null);
            if (nrReleased == released.length) {
                released = Arrays.copyOf(released, released.length * 2);
            }
            released[nrReleased++] = oldest;
        }
    }

    /**
     * The object at {@code address} (tag bits must already be masked off).
     *
     * @throws KernelBug for an address never handed out, a freed one, or one of another type
     */
    public <T> T resolve(long address, Class<T> type) {
        // The common case first: an aligned address inside the table, naming a live object of
        // exactly the type (one class compare); then a subtype; everything else is a report.
        long offset = address - MemMap.KOBJ_START;
        Object[] t = table;
        if ((offset & (ALIGN - 1)) == 0 && Long.compareUnsigned(offset >>> SHIFT, t.length) < 0) {
            Object o = SLOT.getAcquire(t, (int) (offset >>> SHIFT));
            if (o != null && o.getClass() == type) {
                return type.cast(o);
            }
            if (type.isInstance(o) && !(o instanceof Freed)) {
                return type.cast(o);
            }
        }
        throw report(address, type);
    }

    /** The KASAN-style report for an {@code address} {@link #resolve} cannot answer. */
    private KernelBug report(long address, Class<?> type) {
        int index = index(address);
        Object[] t = table;
        Object o = index < t.length ? SLOT.getAcquire(t, index) : null;
        if (o == null) {
            return new KernelBug(String.format(Locale.ROOT,
                    "BUG: KASAN: wild-memory-access at addr %016x: no %s was allocated there",
                    address, type.getSimpleName()));
        }
        if (o instanceof Freed f) {
            return new KernelBug(String.format(Locale.ROOT,
                    "BUG: KASAN: use-after-free at addr %016x: expected a %s, found freed %s",
                    address, type.getSimpleName(), f.what()));
        }
        return new KernelBug(String.format(Locale.ROOT,
                "BUG: KASAN: type confusion at addr %016x: expected a %s, found %s",
                address, type.getSimpleName(), o.getClass().getSimpleName()));
    }

    /** Whether {@code address} names a live object. */
    public boolean isLive(long address) {
        int index = index(address);
        Object[] t = table;
        if (index < 0 || index >= t.length) {
            return false;
        }
        Object o = SLOT.getAcquire(t, index);
        return o != null && !(o instanceof Freed);
    }

    private static int index(long address) {
        long offset = address - MemMap.KOBJ_START;
        if (offset < 0 || (offset & (ALIGN - 1)) != 0 || (offset >>> SHIFT) > Integer.MAX_VALUE) {
            throw new KernelBug(String.format(Locale.ROOT,
                    "BUG: KASAN: wild-memory-access at addr %016x: not an emulated object address",
                    address));
        }
        return (int) (offset >>> SHIFT);
    }
}
