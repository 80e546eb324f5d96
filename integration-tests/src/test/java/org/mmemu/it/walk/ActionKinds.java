package org.mmemu.it.walk;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The registry of the walk's action kinds. Another subsystem's actions (sockets, BPF maps) are
 * one class each with a {@code KIND}, added to {@link #defaults()}.
 */
final class ActionKinds {
    private final List<ActionKind> kinds;
    private final int totalWeight;

    private ActionKinds(List<ActionKind> kinds) {
        this.kinds = List.copyOf(kinds);
        this.totalWeight = kinds.stream().mapToInt(ActionKind::weight).sum();
    }

    /** Every kind the walk knows. */
    static ActionKinds defaults() {
        return new ActionKinds(List.of(Mkdir.KIND, Rmdir.KIND, Spawn.KIND, Fork.KIND, Exit.KIND, Move.KIND,
                SetMax.KIND, PipeCreate.KIND, PipeWrite.KIND, PipeRead.KIND, PipeToPipe.TEE, PipeToPipe.SPLICE,
                PipeClose.KIND, KmemAlloc.KIND, KmemFree.KIND, KmallocObject.KIND, Kfree.KIND, Drain.KIND,
                SocketPairCreate.STREAM, SocketPairCreate.DGRAM, SocketSend.KIND, SocketRecv.KIND, SocketClose.KIND,
                BpfMapCreate.ARRAY, BpfMapCreate.ARRAY_LARGE, BpfMapCreate.MMAPABLE, BpfMapCreate.HASH,
                BpfMapCreate.HASH_NO_PREALLOC, BpfMapUpdate.KIND, BpfMapDelete.KIND, BpfMapClose.KIND, BpfMmap.KIND,
                BpfMunmap.KIND, BpfMapGetFdById.KIND, RcuBarrier.KIND));
    }

    /** The next action of a walk: a kind drawn by weight, drawn again while it has nothing to act on. */
    Action next(World w, SplittableRandom rnd) {
        while (true) {
            int r = rnd.nextInt(totalWeight);
            for (ActionKind kind : kinds) {
                r -= kind.weight();
                if (r < 0) {
                    Action a = kind.next(w, rnd);
                    if (a != null) {
                        return a;
                    }
                    break;
                }
            }
        }
    }
}
