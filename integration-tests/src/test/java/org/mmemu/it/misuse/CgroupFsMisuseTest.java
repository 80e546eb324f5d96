package org.mmemu.it.misuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.it.misuse.Misuses.assertErrno;

import java.util.function.Consumer;
import org.mmemu.core.Errno;
import org.mmemu.it.fixture.Witness;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.Kernel;
import org.mmemu.kernel.junit.Eras;
import org.mmemu.memcg.fs.CgroupFile;
import org.mmemu.memcg.fs.CgroupFs;

/**
 * Misuses of the cgroup file system: each is refused with the kernel's errno, the file or
 * directory it aimed at keeps what it had, and the bystander cgroup is untouched.
 */
class CgroupFsMisuseTest {
    private static final String JOB = "/job";

    /** A cgroup with a limit set, to write the misuses to. */
    private static CgroupFs job(Kernel k) {
        CgroupFs fs = k.cgroupfs();
        fs.mkdir(JOB);
        fs.write(JOB + "/memory.max", "16M");
        return fs;
    }

    /**
     * {@code misuse} of the file system, with /job and the bystander in place, fails with
     * {@code errno} and changes nothing the bystander has.
     */
    private static void assertRefused(Kernel k, Errno errno, Consumer<CgroupFs> misuse) {
        Witness w = Witness.of(k);
        CgroupFs fs = job(k);
        w.mark();

        assertErrno(errno, () -> misuse.accept(fs));
        w.assertUnchangedAndRelease();
    }

    /** Writes {@code text} to {@code file} of /job: {@code errno}, and the file reads as before. */
    private static void assertRefusedWrite(Kernel k, String file, String text, Errno errno) {
        String[] before = new String[1];
        assertRefused(k, errno, fs -> {
            before[0] = fs.read(JOB + "/" + file);
            fs.write(JOB + "/" + file, text);
        });
        assertThat(k.cgroupfs().read(JOB + "/" + file)).isEqualTo(before[0]);
    }

    /** rmdir of a cgroup with a process in it: {@code EBUSY}, the cgroup and the process stay. */
    @Eras(value = Era.LATEST, memory = "64M")
    void rmdirOfACgroupWithAProcessIsBusy(Kernel k) {
        assertRefused(k, Errno.EBUSY, fs -> fs.rmdir(Witness.CGROUP));
    }

    /** rmdir of a cgroup with a child: {@code EBUSY}, both stay. */
    @Eras(value = Era.LATEST, memory = "64M")
    void rmdirOfACgroupWithAChildIsBusy(Kernel k) {
        assertRefused(k, Errno.EBUSY, fs -> {
            fs.mkdir(JOB + "/child");
            fs.rmdir(JOB);
        });

        assertThat(k.cgroupfs().list(JOB + "/child")).isNotEmpty();
    }

    /** rmdir of a cgroup removed already: {@code ENOENT}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void rmdirTwiceIsENOENT(Kernel k) {
        assertRefused(k, Errno.ENOENT, fs -> {
            fs.rmdir(JOB);
            fs.rmdir(JOB);
        });
    }

    /** mkdir named as one of the parent's control files: {@code EEXIST}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void mkdirOfAControlFilesNameIsEEXIST(Kernel k) {
        assertRefused(k, Errno.EEXIST, fs -> fs.mkdir(JOB + "/memory.max"));

        assertErrno(Errno.EEXIST, () -> k.cgroupfs().mkdir(JOB + "/cgroup.procs"));
        assertThat(k.cgroupfs().readLimit(JOB + "/memory.max")).hasValue(16L << 20);
    }

    /** mkdir under a parent that does not exist: {@code ENOENT}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void mkdirUnderAMissingParentIsENOENT(Kernel k) {
        assertRefused(k, Errno.ENOENT, fs -> fs.mkdir("/missing/child"));
    }

    /** A negative size for memory.max: {@code EINVAL} ({@code page_counter_memparse}). */
    @Eras(value = Era.LATEST, memory = "64M")
    void aNegativeLimitIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "memory.max", "-1", Errno.EINVAL);
    }

    /** Garbage for memory.max: {@code EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aGarbageLimitIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "memory.max", "lots", Errno.EINVAL);
    }

    /** A size with trailing garbage for memory.high: {@code EINVAL} (memparse must reach the end). */
    @Eras(value = Era.LATEST, memory = "64M")
    void aSizeWithTrailingGarbageIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "memory.high", "1Gx", Errno.EINVAL);
    }

    /** memory.oom.group takes 0 or 1 only: 2 is {@code EINVAL}; the file exists from 4.19. */
    @Eras(from = Era.V5_9, memory = "64M")
    void anOomGroupOutOfRangeIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "memory.oom.group", "2", Errno.EINVAL);
    }

    /** A write to a read-only file (memory.current): {@code EACCES}, as kernfs refuses the open for writing. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aWriteToAReadOnlyFileIsEACCES(Kernel k) {
        assertRefusedWrite(k, "memory.current", "0", Errno.EACCES);
    }

    /** A pid that is not a number, written to cgroup.procs: {@code EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aGarbagePidIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "cgroup.procs", "init", Errno.EINVAL);
    }

    /** A negative pid written to cgroup.procs: {@code EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aNegativePidIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "cgroup.procs", "-5", Errno.EINVAL);
    }

    /** A pid nobody has, written to cgroup.procs: {@code ESRCH}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void anUnknownPidIsESRCH(Kernel k) {
        assertRefusedWrite(k, "cgroup.procs", "99999", Errno.ESRCH);
    }

    /** A controller token without its sign in cgroup.subtree_control: {@code EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aSubtreeControlTokenWithoutSignIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "cgroup.subtree_control", "memory", Errno.EINVAL);
    }

    /** A controller the kernel does not have, in cgroup.subtree_control: {@code EINVAL}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void anUnknownControllerIsEINVAL(Kernel k) {
        assertRefusedWrite(k, "cgroup.subtree_control", "+memory +bogus", Errno.EINVAL);
    }

    /** Moving the bystander's process into a cgroup that enables memory below it: {@code EBUSY}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void joiningAnInnerCgroupIsEBUSY(Kernel k) {
        Witness w = Witness.of(k);
        CgroupFs fs = job(k);
        fs.write(JOB + "/cgroup.subtree_control", "+memory");
        w.mark();

        assertErrno(Errno.EBUSY, () -> w.task().moveTo(JOB));

        assertThat(fs.read(JOB + "/cgroup.procs")).isEmpty();
        w.assertUnchangedAndRelease();
    }

    /** Reading memory.reclaim, a write-only file: {@code EACCES}; the file exists from 5.19. */
    @Eras(value = Era.LATEST, memory = "64M")
    void readingAWriteOnlyFileIsEACCES(Kernel k) {
        assertRefused(k, Errno.EACCES, fs -> fs.read(JOB + "/memory.reclaim"));
    }

    /** Opening memory.peak where the era has none (before 5.19): {@code ENOENT}. */
    @Eras(value = {Era.V4_8, Era.V5_11}, memory = "64M")
    void openingAFileTheEraLacksIsENOENT(Kernel k) {
        assertRefused(k, Errno.ENOENT, fs -> fs.open(JOB + "/memory.peak"));
    }

    /** A file kept open across its cgroup's rmdir: reads and writes fail with {@code ENODEV}. */
    @Eras(value = Era.LATEST, memory = "64M")
    void anOpenFileOfARemovedCgroupIsENODEV(Kernel k) {
        Witness w = Witness.of(k);
        CgroupFs fs = job(k);
        try (CgroupFile max = fs.open(JOB + "/memory.max")) {
            fs.rmdir(JOB);
            w.mark();

            assertErrno(Errno.ENODEV, max::read);
            assertErrno(Errno.ENODEV, () -> max.write("1M"));
        }
        w.assertUnchangedAndRelease();
    }

    /** The facade's readLong of a limit that is {@code max}: {@code EINVAL}, as kstrtoll says. */
    @Eras(value = Era.LATEST, memory = "64M")
    void readLongOfAnUnsetLimitIsEINVAL(Kernel k) {
        assertRefused(k, Errno.EINVAL, fs -> fs.readLong(Witness.CGROUP + "/memory.max"));
    }

    /** A closed CgroupFile handle is refused by the facade. */
    @Eras(value = Era.LATEST, memory = "64M")
    void aClosedHandleIsRefused(Kernel k) {
        Witness w = Witness.of(k);
        CgroupFile f = k.cgroupfs().open(Witness.CGROUP + "/memory.current");
        f.close();
        w.mark();

        assertThatThrownBy(f::read).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        w.assertUnchangedAndRelease();
    }
}
