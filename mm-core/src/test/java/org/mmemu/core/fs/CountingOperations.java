package org.mmemu.core.fs;

import java.util.ArrayList;
import java.util.List;

/** File operations that only record which files were released, in order. */
final class CountingOperations implements FileOperations {
    final List<File> released = new ArrayList<>();

    File open(String name) {
        return new File(this, name, File.FMODE_READ | File.FMODE_WRITE);
    }

    @Override
    public void release(File file) {
        released.add(file);
    }
}
