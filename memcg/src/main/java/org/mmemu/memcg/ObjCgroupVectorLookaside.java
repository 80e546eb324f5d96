package org.mmemu.memcg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.PerCpu;

/**
 * The last obj_cgroup vector each CPU decoded from a {@code memcg_data} word: the emulator's
 * stand-in for the kernel's plain pointer dereference in {@code page_objcgs(page)[off]}, which
 * here would otherwise be a {@link KernelObjects#resolve} on every accounted slab allocation
 * and free. The slab fast path decodes the same vector again and again (its CPU slab's), so one
 * entry per CPU answers nearly every decode with one load and one compare.
 *
 * <p>It hides nothing the kernel would report. An entry is trusted only for the address its
 * vector was registered at, which no other object gets while the vector lives, and
 * {@link #forget} drops a vector from every CPU's entry before it is freed, so a stale
 * {@code memcg_data} still decodes through {@link KernelObjects} and gets its use-after-free
 * report. Each CPU writes only its own entry; {@link #forget} clears another CPU's with a
 * compare-and-set, which loses nothing if that CPU meanwhile moved on to another vector.
 */
final class ObjCgroupVectorLookaside {
    /** References between two CPUs' entries: 128 bytes with compressed oops (see {@link PerCpu#PAD_LONGS}). */
    private static final int STRIDE = 2 * PerCpu.PAD_LONGS;
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(ObjCgroupVector[].class);

    private final KernelObjects objects;
    /** CPU {@code i}'s entry at {@code (i + 1) * STRIDE}, padded on both sides. */
    private final ObjCgroupVector[] entries;

    ObjCgroupVectorLookaside(KernelObjects objects, int nrCpus) {
        this.objects = objects;
        this.entries = new ObjCgroupVector[(nrCpus + 2) * STRIDE];
    }

    /** The vector at {@code address} (tag bits masked off), decoded on {@code cpu}, the caller's. */
    ObjCgroupVector decode(Cpu cpu, long address) {
        int entry = (cpu.id() + 1) * STRIDE;
        ObjCgroupVector last = entries[entry];
        if (last != null && last.address() == address) {
            return last;
        }
        ObjCgroupVector vector = objects.resolve(address, ObjCgroupVector.class);
        entries[entry] = vector;
        return vector;
    }

    /** Drops {@code vector} from every CPU's entry: it is about to be freed. */
    void forget(ObjCgroupVector vector) {
        for (int entry = STRIDE; entry < entries.length - STRIDE; entry += STRIDE) {
            if (entries[entry] == vector) {
                ENTRY.compareAndSet(entries, entry, vector, null);
            }
        }
    }
}
