package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.it.misuse.Misuses.assertBug;

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

    /** {@code fput} past zero: a BUG, and the file is not released again. */
    @Eras(value = Era.LATEST, memory = "64M")
    void fputPastZeroIsABug(Kernel k) {
        Witness w = Witness.of(k);
        int[] releases = {0};
        File f = countingReleases(releases);
        f.put();
        w.mark();

        assertBug("fput of a released file", f::put);

        assertThat(releases[0]).isEqualTo(1);
        w.assertUnchangedAndRelease();
    }

    /** {@code get_file} of a released file: a BUG, and the count stays at zero. */
    @Eras(value = Era.LATEST, memory = "64M")
    void getFileOfAReleasedFileIsABug(Kernel k) {
        Witness w = Witness.of(k);
        int[] releases = {0};
        File f = countingReleases(releases);
        f.put();
        w.mark();

        assertBug("get_file of a released file", f::get);

        assertThat(f.count()).isZero();
        assertThat(releases[0]).isEqualTo(1);
        w.assertUnchangedAndRelease();
    }
}
