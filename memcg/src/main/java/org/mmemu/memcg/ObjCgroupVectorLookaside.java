package org.mmemu.memcg;

import org.mmemu.core.addr.KernelObjects;
import org.mmemu.core.interleave.InterleavingPoint;
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
 * vector was registered at, which no other object gets while the vector lives, and only while
 * the vector lives ({@link ObjCgroupVector#liveAddress}): no entry answers for a freed vector,
 * not even one that a decode racing the free fills afterwards. So a stale {@code memcg_data}
 * still decodes through {@link KernelObjects} and gets its use-after-free report, and a vector
 * that later reuses the address is resolved afresh. Each CPU writes only its own entry.
 */
final class ObjCgroupVectorLookaside {
    /** References between two CPUs' entries: 128 bytes with compressed oops (see {@link PerCpu#PAD_LONGS}). */
    private static final int STRIDE = 2 * PerCpu.PAD_LONGS;
    /** A miss, between the resolve and the store into the CPU's entry: a free may run here. */
    static final InterleavingPoint FILL = InterleavingPoint.declare("objcg_vector:lookaside_fill");

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
        if (last != null && last.liveAddress() == address) {
            return last;
        }
        ObjCgroupVector vector = objects.resolve(address, ObjCgroupVector.class);
        FILL.reach();
        entries[entry] = vector;
        return vector;
    }
}
