package org.mmemu.core.fs;

import com.google.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.mm.MmStruct;
import org.mmemu.core.sched.TaskStruct;
import org.mmemu.core.sched.Tasks;

/**
 * A leaked {@code struct file}: once no task has an open fd or a mapping (which may hold a
 * file), every file ever installed in an fd table must have been released ({@code fput} of its
 * last reference). While some task still has either, files may be held legitimately and the
 * check reports nothing.
 */
public final class FileLeakCheck implements ConsistencyCheck {
    private static final int REPORTED = 5;

    private final OpenFiles openFiles;
    private final Tasks tasks;

    @Inject
    public FileLeakCheck(OpenFiles openFiles, Tasks tasks) {
        this.openFiles = openFiles;
        this.tasks = tasks;
    }

    @Override
    public String name() {
        return "file leak";
    }

    @Override
    public List<String> check() {
        List<String> problems = new ArrayList<>();
        for (TaskStruct t : tasks.tasks()) {
            if (mayHoldFiles(t)) {
                return problems;
            }
        }
        List<File> live = openFiles.live();
        for (File f : live.subList(0, Math.min(REPORTED, live.size()))) {
            problems.add(f + " still has " + f.count() + " reference(s) after every fd was closed:"
                    + " an fget without its fput, or a get_file never put");
        }
        if (live.size() > REPORTED) {
            problems.add((live.size() - REPORTED) + " more leaked file(s)");
        }
        return problems;
    }

    private static boolean mayHoldFiles(TaskStruct t) {
        FilesStruct files = t.files();
        MmStruct mm = t.mm();
        return files != null && !files.openFds().isEmpty() || mm != null && mm.mapCount() > 0;
    }
}
