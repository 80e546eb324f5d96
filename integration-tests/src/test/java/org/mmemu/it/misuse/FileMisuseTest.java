package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.misuse.Misuses.assertBug;

import java.util.function.Consumer;
import org.mmemu.core.fs.File;
import org.mmemu.core.fs.FileOperations;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;

/** Misuses of {@code struct file} references: a file is released exactly once. */
class FileMisuseTest {
    /** A file that counts its releases. */
    private static File countingReleases(int[] releases) {
        return new File(new FileOperations() {
            @Override
            public void release(File file) {
                releases[0]++;
            }
        }, null, File.FMODE_READ);
    }

    /**
     * {@code misuse} of a file whose last reference is gone hits the BUG {@code condition}; the
     * file was released once, and is not again.
     */
    private static void assertBugOnAReleasedFile(Kernel k, String condition, Consumer<File> misuse) {
        Witness w = Witness.of(k);
        int[] releases = {0};
        File f = countingReleases(releases);
        f.put();
        w.mark();

        assertBug(condition, () -> misuse.accept(f));

        assertThat(f.count()).isLessThanOrEqualTo(0);
        assertThat(releases[0]).isEqualTo(1);
        w.assertUnchangedAndRelease();
    }

    /** {@code fput} past zero. */
    @Eras(value = Era.LATEST, memory = "64M")
    void fputPastZeroIsABug(Kernel k) {
        assertBugOnAReleasedFile(k, "fput of a released file", File::put);
    }

    /** {@code get_file} of a released file: no reference taken. */
    @Eras(value = Era.LATEST, memory = "64M")
    void getFileOfAReleasedFileIsABug(Kernel k) {
        assertBugOnAReleasedFile(k, "get_file of a released file", File::get);
    }
}
