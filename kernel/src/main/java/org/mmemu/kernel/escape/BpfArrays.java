package org.mmemu.kernel.escape;

import org.mmemu.bpf.BpfEras;
import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.core.cred.Prlimit;
import org.mmemu.core.cred.Rlimits;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.core.sched.Tasks;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;

/**
 * BPF array maps the process creates, one per step, each with a 256 KiB value area: plain
 * ({@link #array}) or {@code BPF_F_MMAPABLE} and mapped into the process whole
 * ({@link #mmapable}). {@code bpf_map_area_alloc} (kernel/bpf/syscall.c, 4.11 on) vmallocs areas
 * above 32 KiB (4.7 and 4.8 kzalloc them: a {@code kmalloc_large} block); up to 5.10 they are paid for by the user's {@code RLIMIT_MEMLOCK}, which a root
 * process raises first as libbpf does ({@code setrlimit(RLIMIT_MEMLOCK, RLIM_INFINITY)}), and by
 * no cgroup; from 5.11 they are charged to the creator's cgroup ({@code map->memcg}).
 */
final class BpfArrays implements EscapePath {
    /** Bytes per value: one page. */
    static final int VALUE_SIZE = 4096;
    /** Values per map: a 256 KiB value area, vmalloc'd from 4.11. */
    static final int ENTRIES = 64;

    private final String name;
    private final int flags;
    private final KernelChange closedBy;

    private BpfArrays(String name, int flags, KernelChange closedBy) {
        this.name = name;
        this.flags = flags;
        this.closedBy = closedBy;
    }

    /** {@code BPF_MAP_TYPE_ARRAY}, created and kept open. */
    static BpfArrays array() {
        return new BpfArrays("bpf-array", 0, new KernelChange(KernelRelease.V5_11, "6d192c7938b7",
                "bpf: Refine memcg-based memory accounting for arraymap maps",
                "kernel/bpf/syscall.c: bpf_map_charge_init/bpf_charge_memlock (user->locked_vm against RLIMIT_MEMLOCK)"
                        + " and __bpf_map_area_alloc without __GFP_ACCOUNT in 5.10.7; from 5.11 bpf_map_save_memcg and"
                        + " __GFP_ACCOUNT (d5299b67dd59 bpf: Memcg-based memory accounting for bpf maps), no memlock"));
    }

    /** {@code BPF_F_MMAPABLE} arrays (5.5 on), each mapped {@code MAP_SHARED} whole. */
    static BpfArrays mmapable() {
        return new BpfArrays("bpf-mmapable-array", BpfMapFlags.MMAPABLE, new KernelChange(KernelRelease.V5_11,
                "6d192c7938b7", "bpf: Refine memcg-based memory accounting for arraymap maps",
                "kernel/bpf/arraymap.c array_map_alloc: bpf_map_area_mmapable_alloc without __GFP_ACCOUNT up to 5.10;"
                        + " an accounted vmalloc page carried the PageKmemcg page type, which vm_insert_page refuses, until"
                        + " \"mm: Convert page kmemcg type to a page memcg flag\" (5.11) moved the mark into memcg_data;"
                        + " then the series charged the area to map->memcg"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return (flags == 0 ? "creates BPF array maps" : "creates BPF_F_MMAPABLE array maps and maps each whole")
                + " of 64 4 KiB values (vmalloc'd 256 KiB areas), memlock raised to infinity first, keeping every fd";
    }

    @Override
    public KernelChange closedBy() {
        return closedBy;
    }

    /** Arrays in every era; mmapable ones where the era's bpf takes the flag (5.5 on). */
    @Override
    public boolean appliesTo(Era era) {
        return flags == 0 || BpfEras.CONFIG.at(era.release()).mmapable();
    }

    @Override
    public PathDrive start(Kernel kernel, Task task) {
        unlimitMemlock(kernel, task);
        return () -> {
            int fd = task.bpfMapCreate(BpfMapType.ARRAY, Integer.BYTES, VALUE_SIZE, ENTRIES, flags);
            if (flags != 0) {
                task.mmap(fd, (long) VALUE_SIZE * ENTRIES);
            }
        };
    }

    /** {@code setrlimit(RLIMIT_MEMLOCK, RLIM_INFINITY)} by the (root) process itself. */
    static void unlimitMemlock(Kernel kernel, Task task) {
        try (Tasks.TaskScope running = kernel.enter(task)) {
            int ret = kernel.get(Prlimit.class).setrlimit(task.taskStruct(), Rlimits.RLIMIT_MEMLOCK,
                    Rlimits.RLIM_INFINITY, Rlimits.RLIM_INFINITY);
            if (ret < 0) {
                throw new IllegalStateException("setrlimit(RLIMIT_MEMLOCK) by " + task + " returned " + ret);
            }
        }
    }
}
