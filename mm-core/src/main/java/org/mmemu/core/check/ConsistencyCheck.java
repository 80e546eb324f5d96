package org.mmemu.core.check;

import java.util.List;

/**
 * One expensive invariant of the machine, checked at quiescence (after a test, or whenever a
 * caller knows no other thread is touching the machine): the kind of walk the kernel leaves to
 * debug options such as {@code CONFIG_DEBUG_VM} because it is too slow for the fast paths.
 *
 * <p>Modules add their own with {@link ConsistencyChecks#consistencyChecks} so that every test,
 * whatever subsystems it wires, ends with all of them.
 */
public interface ConsistencyCheck {
    /** A short name that prefixes this check's violations ("buddy", "page leak"). */
    String name();

    /**
     * Walks the state this check covers and describes every violation found, one problem per
     * string, with the dump_page text of any page involved; empty when all is well. A check
     * keeps its list short: it reports the first few offenders and counts the rest.
     */
    List<String> check();
}
