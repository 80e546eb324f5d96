package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mmemu.kernel.Task;

/**
 * The model's process: its handle, its cgroup, where its pgd was charged, the pipes, socketpairs
 * and BPF maps it holds (by fds), its mappings of BPF arrays.
 */
final class ModelTask {
    final String id;
    final Task task;
    ModelCgroup cgroup;
    final ModelPage pgd;
    final Map<ModelPipe, int[]> pipes = new LinkedHashMap<>();
    final Map<ModelSocketPair, int[]> sockets = new LinkedHashMap<>();
    /** The BPF maps it holds, with their fds. */
    final Map<ModelBpfMap, Integer> maps = new LinkedHashMap<>();
    /** Its mappings of mmapable arrays, and the page tables below its pgd they need. */
    final List<ModelMapping> mappings = new ArrayList<>();
    final ModelPageTables pageTables = new ModelPageTables();

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
