package org.mmemu.core.page;

import java.util.Set;

/**
 * How page types are written into the {@code _mapcount} word: a policy chosen per era. The
 * implementations the kernel has used are the constants of {@link MapcountWord.Encoding}, side by
 * side; a user may bind their own.
 *
 * <p>The methods are pure functions of the 32-bit word, so they can be tested exhaustively and
 * applied to a page by {@link PageTypes}, which adds the kernel's VM_BUG_ON checks.
 */
public interface PageTypeEncoding {
    /** The policy's dotted name, such as {@code pagetype.Value48}. */
    String policyName();

    /** Whether this encoding has the type at all (Kmemcg exists only from 4.8 to 5.10). */
    boolean supports(PageType type);

    /** {@code PageX(page)}: whether the word carries the type. */
    boolean hasType(int word, PageType type);

    /** The precondition of {@code __SetPageX}: whether the type may be set on this word. */
    boolean canSet(int word, PageType type);

    /** {@code __SetPageX}: the word with the type set; callers check {@link #canSet} first. */
    int set(int word, PageType type);

    /**
     * The precondition of {@code __ClearPageX}: by default the word must carry the type. (6.13
     * also lets an untyped word through, leaving it as it is.)
     */
    default boolean canClear(int word, PageType type) {
        return hasType(word, type);
    }

    /** {@code __ClearPageX}: the word with the type cleared; callers check {@link #canClear} first. */
    int clear(int word, PageType type);

    /**
     * {@code page_has_type}: whether the word holds any type rather than a mapcount. For the
     * value encodings, which had no such helper, it is true exactly for the type values (4.18's
     * bits, which had none either, use 5.9's test); for
     * 6.13 it is the kernel's {@code page_type_has_type(word - 1)}.
     */
    boolean pageHasType(int word);

    /**
     * Whether this encoding's kernel has {@code page_has_type} at all (4.19 does not, 5.9 does),
     * so that a tool shows {@link #pageHasType} only where a kernel developer could call it.
     */
    boolean kernelHasPageHasType();

    /** The types the word carries, for dump_page. */
    Set<PageType> typesOf(int word);

    /** The raw value (value and top-byte encodings) or bit (bit encodings) of a type. */
    int rawValue(PageType type);
}
