package org.mmemu.core.addr;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.MemMap;

/**
 * Emulated kernel addresses for Java objects that the kernel points to from page words
 * ({@code mem_cgroup}, {@code obj_cgroup}, obj_cgroup vectors, kmem caches). Addresses are
 * 64-byte aligned, so the six low bits are free for tags such as {@code MEMCG_DATA_KMEM}.
 *
 * <pre>
 *  address = KOBJ_START + index * 64      (index counts up; slots are never reused)
 * </pre>
 *
 * <p>Freeing leaves a tombstone, so resolving a freed address is reported the way KASAN reports
 * a use-after-free (a {@link KernelBug}), never silently answered. Lookups take no lock.
 */
public final class KernelObjects {
    /** Alignment of every emulated object address. */
    public static final int ALIGN = 64;
    private static final int SHIFT = 6;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private volatile Object[] table = new Object[1024];
    private int next;

    /** A freed slot: what lived there, for the use-after-free report. */
    private record Freed(String what) {
    }

    /** {@code kmalloc} for an emulated object: a fresh aligned address naming {@code object}. */
    public synchronized long register(Object object) {
        if (next == table.length) {
            Object[] bigger = new Object[table.length * 2];
            System.arraycopy(table, 0, bigger, 0, table.length);
            table = bigger;
        }
        int index = next++;
        SLOT.setRelease(table, index, object);
        return MemMap.KOBJ_START + ((long) index << SHIFT);
    }

    /** {@code kfree}: the address stays reserved and resolves to a use-after-free report. */
    public synchronized void free(long address) {
        Object o = resolve(address, Object.class);
        SLOT.setRelease(table, index(address), new Freed(o.getClass().getSimpleName() + " " + o));
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
