package org.mmemu.it.walk;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mmemu.kernel.Task;

/** The model's process: its handle, its cgroup, where its pgd was charged, the pipes and socketpairs it holds (by fds). */
final class ModelTask {
    final String id;
    final Task task;
    ModelCgroup cgroup;
    final ModelPage pgd;
    final Map<ModelPipe, int[]> pipes = new LinkedHashMap<>();
    final Map<ModelSocketPair, int[]> sockets = new LinkedHashMap<>();

    ModelTask(String id, Task task, ModelCgroup cgroup, ModelPage pgd) {
        this.id = id;
        this.task = task;
        this.cgroup = cgroup;
        this.pgd = pgd;
    }

    @Override
    public String toString() {
        return id;
    }
}
