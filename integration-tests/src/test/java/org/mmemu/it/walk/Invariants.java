package org.mmemu.it.walk;

import java.util.ArrayList;
import java.util.List;
import org.mmemu.core.check.ConsistencyCheck;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.PageLeakCheck;
import org.mmemu.memcg.MemcgChargeCheck;

/**
 * What must hold after every step of a walk:
 * <ul>
 *   <li>each live cgroup's {@code memory.current} is at least the model's charges of its subtree
 *       (with, up to 5.8, the slab pages of its cache clones) and at most that plus what the per-CPU stocks may hold ({@link World#stockPages}, none
 *       right after a drain) and, from 5.9, less than a page per obj_cgroup;</li>
 *   <li>after a drain: no {@code memory.stat} counter negative, the charge check passes, and
 *       the pages neither free nor owned are exactly as many as the model holds (pgds, pipe
 *       pages, the walk's kernel pages): the page leak check would count live page tables as
 *       lost, so the census stands in for it while tasks live.</li>
 * </ul>
 */
final class Invariants {
    private Invariants() {
    }

    static void check(World w) {
        boolean exact = w.drained;
        w.drained = false;
        checkCurrent(w, w.m.top, exact);
        for (ModelCgroup g : w.m.liveCgroups()) {
            checkCurrent(w, g, exact);
        }
        if (exact) {
            for (ModelCgroup g : w.m.liveCgroups()) {
                checkStat(w, g);
            }
            checkMachine(w);
        }
    }

    private static void checkCurrent(World w, ModelCgroup g, boolean exact) {
        long current = w.k.cgroupfs().readLong(g.path + "/memory.current");
        long low = g.subtreeBytes() + w.m.rules.clonePageBytes(w.k, g.path);
        long high = low + (w.m.rules.slabBytesCharged() ? Model.PAGE * g.subtreeObjcgs() : 0)
                + (exact ? 0 : Model.PAGE * w.stockPages);
        if (current < low || current > high || low < 0) {
            throw new AssertionError(g + "/memory.current is " + current + ", the model says " + low
                    + (high == low ? "" : ".." + high) + (exact ? " (stocks drained)" : " (within the stocks)"));
        }
    }

    private static void checkStat(World w, ModelCgroup g) {
        for (String line : w.k.cgroupfs().read(g.path + "/memory.stat").split("\n")) {
            String[] kv = line.split(" ");
            if (kv.length == 2 && kv[1].startsWith("-")) {
                throw new AssertionError(g + "/memory.stat has a negative counter: " + line);
            }
        }
    }

    /**
     * The page census and the charge check ({@link MemcgChargeCheck}: every charged page and
     * byte attributable, no counter underflowed) with live tasks; the walk's end runs every check.
     */
    static void checkMachine(World w) {
        List<String> problems = new ArrayList<>();
        for (ConsistencyCheck c : w.k.get(ConsistencyChecks.class).checks()) {
            if (c instanceof PageLeakCheck leaks) {
                int held = leaks.leakedPfns().cardinality();
                if (held != w.m.heldPages) {
                    problems.add(held + " page(s) neither free nor owned, the model holds " + w.m.heldPages);
                }
            } else if (c instanceof MemcgChargeCheck) {
                for (String v : c.check()) {
                    problems.add(c.name() + ": " + v);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("with live tasks:\n" + String.join("\n", problems));
        }
    }
}
