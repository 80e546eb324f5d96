package org.mmemu.kernel.escape;

import org.mmemu.core.era.KernelRelease;

/**
 * The kernel change that got a path's memory charged to the cgroup of the process that caused
 * it: its release (null if no kernel ever charged it), its commit (null where the trees checked
 * did not name it), its subject, and where the sources show it. The release may come after the
 * kernel the latest era models: then every era's cell still escapes.
 *
 * @param release the first release that charges the path, as users name it ("4.8", "6.18"), or
 *                null: never
 * @param commit the abbreviated commit id, or null: not named in the trees checked
 * @param subject the commit's subject line (or what the sources do, for a path never closed)
 * @param evidence the functions and trees that show it, version by version
 */
public record KernelChange(String release, String commit, String subject, String evidence) {
    /** A change first released in an era of the table. */
    public KernelChange(KernelRelease release, String commit, String subject, String evidence) {
        this(release.version(), commit, subject, evidence);
    }

    /** A path no release charges. */
    public static KernelChange never(String what, String evidence) {
        return new KernelChange((String) null, null, what, evidence);
    }

    /** Whether some release charges the path. */
    public boolean closed() {
        return release != null;
    }

    /** "4.8 (3e79ec7ddc33 arch: x86: ...)", or "never: ..."; for tables and --explain. */
    @Override
    public String toString() {
        if (!closed()) {
            return "never: " + subject;
        }
        return release + " (" + (commit == null ? "" : commit + " ") + subject + ")";
    }
}
