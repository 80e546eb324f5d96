package org.mmemu.core.page;

import org.mmemu.core.KernelBug;

/**
 * The {@code PageX}/{@code __SetPageX}/{@code __ClearPageX} helpers for page types, applying
 * the machine's {@link PageTypeEncoding} to a page with the kernel's {@code VM_BUG_ON_PAGE}
 * checks: setting a type the word cannot take, or clearing one it does not hold, is a
 * {@link KernelBug} carrying the page dump.
 */
public final class PageTypes {
    private final PageTypeEncoding encoding;
    private final DumpPage dumpPage;

    public PageTypes(PageTypeEncoding encoding, DumpPage dumpPage) {
        this.encoding = encoding;
        this.dumpPage = dumpPage;
    }

    /** The encoding in force. */
    public PageTypeEncoding encoding() {
        return encoding;
    }

    /** {@code PageX(page)}. */
    public boolean has(Page page, PageType type) {
        return encoding.hasType(page.mapcountWord(), type);
    }

    /** {@code page_has_type(page)}. */
    public boolean hasAnyType(Page page) {
        return encoding.pageHasType(page.mapcountWord());
    }

    /** {@code __SetPageX(page)}. */
    public void set(Page page, PageType type) {
        int word = page.mapcountWord();
        if (!encoding.canSet(word, type)) {
            throw bug(page, "__SetPage" + capitalized(type) + ": _mapcount 0x"
                    + Integer.toHexString(word) + " cannot take the type under " + encoding.policyName());
        }
        page.setMapcountWord(encoding.set(word, type));
    }

    /** {@code __ClearPageX(page)}. */
    public void clear(Page page, PageType type) {
        int word = page.mapcountWord();
        if (!encoding.canClear(word, type)) {
            throw bug(page, "__ClearPage" + capitalized(type) + ": the page is not Page"
                    + capitalized(type));
        }
        page.setMapcountWord(encoding.clear(word, type));
    }

    /**
     * A {@code VM_BUG_ON_PAGE} failure on {@code page}: like the kernel, the page is dumped
     * "because" of the stringified assertion.
     */
    public KernelBug bug(Page page, String condition) {
        String assertion = "VM_BUG_ON_PAGE(" + condition + ")";
        return new KernelBug(assertion + "\n" + dumpPage.dump(page, assertion));
    }

    private static String capitalized(PageType type) {
        String n = type.kernelName();
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }
}
