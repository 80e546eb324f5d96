package org.mmemu.core.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The files of one machine that were ever installed in an fd table and are not released yet:
 * what {@code nr_files} counts, kept as the files themselves so that {@link FileLeakCheck} can
 * name a file whose reference count never reached zero. Released files are dropped lazily.
 */
public final class OpenFiles {
    private final Set<File> files = Collections.newSetFromMap(new IdentityHashMap<>());
    private int purgeAt = 64;

    /** Records {@code file}, just installed by {@link FilesStruct#fdInstall}. */
    synchronized void track(File file) {
        files.add(file);
        if (files.size() >= purgeAt) {
            files.removeIf(f -> f.count() <= 0);
            purgeAt = Math.max(64, 2 * files.size());
        }
    }

    /** The tracked files still holding a reference ({@code get_nr_files}'s files). */
    public synchronized List<File> live() {
        files.removeIf(f -> f.count() <= 0);
        return new ArrayList<>(files);
    }
}
