package org.mmemu.kernel.escape;

import org.mmemu.bpf.BpfMapFlags;
import org.mmemu.bpf.BpfMapType;
import org.mmemu.bpf.BpfUpdateFlags;
import org.mmemu.core.era.KernelRelease;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.Task;

/**
 * Elements of a {@code BPF_F_NO_PREALLOC} hash map owned by the cgroup at its limit, added by a
 * process of another cgroup: the owner creates the map and forks a child that shares its fd and
 * moves to a cgroup of its own, then the child adds one 4 KiB element per step
 * ({@code htab_map_update_elem} → {@code alloc_htab_elem}, kernel/bpf/hashtab.c). Up to 5.10 the
 * elements are {@code kmalloc_node(GFP_ATOMIC)}'d and charged to nobody; from 5.11
 * {@code bpf_map_kmalloc_node} charges them to the map's memcg, the owner's, whoever adds them.
 */
final class ForeignHashElements implements EscapePath {
    /** Where the adding process lives. */
    static final String FOREIGN = "/escape-foreign";
    private static final int KEY_SIZE = 8;
    /** With the 48-byte header and the 8-byte key, an element fills a kmalloc-4096 object. */
    private static final int VALUE_SIZE = 4000;
    private static final int MAX_ENTRIES = 1 << 16;

    @Override
    public String name() {
        return "bpf-hash-foreign";
    }

    @Override
    public String description() {
        return "creates a BPF_F_NO_PREALLOC hash map (memlock raised first), forks a child into a cgroup of its own"
                + " that adds 4 KiB elements to it, one per step";
    }

    @Override
    public KernelChange closedBy() {
        return new KernelChange(KernelRelease.V5_11, "881456811a33",
                "bpf: Refine memcg-based memory accounting for hashtab maps",
                "kernel/bpf/hashtab.c alloc_htab_elem: kmalloc_node(GFP_ATOMIC | __GFP_NOWARN) in 5.10.7, charged to"
                        + " no cgroup; bpf_map_kmalloc_node under set_active_memcg(map->memcg) from 5.11"
                        + " (d5299b67dd59 bpf: Memcg-based memory accounting for bpf maps)");
    }

    @Override
    public PathDrive start(Kernel kernel, Task owner) {
        BpfArrays.unlimitMemlock(kernel, owner);
        int fd = owner.bpfMapCreate(BpfMapType.HASH, KEY_SIZE, VALUE_SIZE, MAX_ENTRIES, BpfMapFlags.NO_PREALLOC);
        kernel.cgroupfs().mkdir(FOREIGN);
        Task adder = owner.fork();
        adder.moveTo(FOREIGN);
        return new Adder(kernel, adder, fd);
    }

    /** The foreign child adding an element per step. */
    private static final class Adder implements PathDrive {
        private final Kernel kernel;
        private final Task adder;
        private final int fd;
        private final byte[] key = new byte[KEY_SIZE];
        private final byte[] value = new byte[VALUE_SIZE];
        private long next;

        Adder(Kernel kernel, Task adder, int fd) {
            this.kernel = kernel;
            this.adder = adder;
            this.fd = fd;
        }

        @Override
        public void step() {
            long k = next++;
            for (int i = 0; i < KEY_SIZE; i++) {
                key[i] = (byte) (k >>> (8 * i));
            }
            adder.bpfMapUpdate(fd, key, value, BpfUpdateFlags.NOEXIST);
        }

        /** The child holds the map's last fd: its exit frees the map; its cgroup goes after it. */
        @Override
        public void release() {
            if (adder.isAlive()) {
                adder.kill();
            }
            kernel.cgroupfs().rmdir(FOREIGN);
        }
    }
}
