package org.mmemu.core.check;

import java.util.BitSet;

/**
 * Something that legitimately holds pages while the machine is quiescent (a cache keeping empty
 * slabs, a pool, a test that leaks on purpose), so the {@link PageLeakCheck} does not count
 * them as lost. Register one with {@link ConsistencyChecks#pageOwners}. (Not the kernel's
 * CONFIG_PAGE_OWNER, which records allocation stacks.)
 *
 * <p>An owner finds its pages by walking its own structures, as the kernel would; it keeps no
 * table keyed by page for this purpose.
 */
@FunctionalInterface
public interface PageOwner {
    /** Sets the pfn of every page this owner holds in {@code owned}. */
    void markOwned(BitSet owned);
}
