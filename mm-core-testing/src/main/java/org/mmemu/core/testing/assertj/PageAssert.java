package org.mmemu.core.testing.assertj;

import java.util.Locale;
import org.assertj.core.api.AbstractAssert;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageFlags;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.testing.junit.TestMachine;

/**
 * AssertJ assertions on one {@link Page}, read through its machine (for the page type encoding,
 * the free lists and compound heads). Every failure message ends with the page's dump_page text.
 * Obtain one from {@link MmAssertions#assertThat(Page)}.
 *
 * <pre>
 *  assertThat(page).hasRefCount(1).hasNoType().isNotFree();
 *  assertThat(buddy).hasType(PageType.BUDDY).isFree();
 * </pre>
 */
public final class PageAssert extends AbstractAssert<PageAssert, Page> {
    private final TestMachine machine;

    PageAssert(TestMachine machine, Page actual) {
        super(actual, PageAssert.class);
        this.machine = machine;
    }

    /** {@code page_ref_count(page)}: this page's own {@code _refcount} (a tail's is 0). */
    public PageAssert hasRefCount(int expected) {
        isNotNull();
        return expectEqual("refcount", expected, actual.refcount());
    }

    /** The raw {@code _mapcount} word (-1 for an unmapped untyped page). */
    public PageAssert hasMapcountWord(int expected) {
        isNotNull();
        int word = actual.mapcountWord();
        if (word != expected) {
            failWithActualExpectedAndMessage(word, expected,
                    "%nExpecting pfn 0x%x to have _mapcount word %s but was %s%n%s",
                    actual.pfn(), hexAndDecimal(expected), hexAndDecimal(word), dump());
        }
        return this;
    }

    /** {@code page_mapcount(page)} of a small page: the {@code _mapcount} word plus one. */
    public PageAssert hasMapcount(int expected) {
        isNotNull();
        return expectEqual("mapcount", expected, MapcountWord.pageMapcount(actual.mapcountWord()));
    }

    /** {@code PageX(page)} under the machine's page type encoding. */
    public PageAssert hasType(PageType type) {
        isNotNull();
        PageTypeEncoding encoding = machine.types().encoding();
        if (!encoding.supports(type)) {
            failWithMessage("%nExpecting pfn 0x%x to be Page%s, but %s has no such type%n%s",
                    actual.pfn(), kernelName(type), encoding.policyName(), dump());
        }
        if (!machine.types().has(actual, type)) {
            failWithMessage("%nExpecting pfn 0x%x to be Page%s, but its _mapcount word 0x%08x %s%n%s",
                    actual.pfn(), kernelName(type), actual.mapcountWord(), typesRead(), dump());
        }
        return this;
    }

    /** {@code !page_has_type(page)}: the word holds a mapcount, not a type. */
    public PageAssert hasNoType() {
        isNotNull();
        if (machine.types().hasAnyType(actual)) {
            failWithMessage("%nExpecting pfn 0x%x to have no page type, but its _mapcount word 0x%08x %s%n%s",
                    actual.pfn(), actual.mapcountWord(), typesRead(), dump());
        }
        return this;
    }

    /** The page is free: in a buddy block or on a per-CPU list. */
    public PageAssert isFree() {
        isNotNull();
        if (!machine.isFree(actual)) {
            failWithMessage("%nExpecting pfn 0x%x to be free (in a buddy block or on a per-CPU"
                    + " list), but it is not%n%s", actual.pfn(), dump());
        }
        return this;
    }

    /** The page is not free: someone holds it, or it was leaked. */
    public PageAssert isNotFree() {
        isNotNull();
        if (machine.isFree(actual)) {
            failWithMessage("%nExpecting pfn 0x%x not to be free, but it is in the allocator%n%s",
                    actual.pfn(), dump());
        }
        return this;
    }

    /** The raw {@code memcg_data} word: an emulated address with its flag bits. */
    public PageAssert hasMemcgData(long expected) {
        isNotNull();
        long data = actual.memcgData();
        if (data != expected) {
            failWithActualExpectedAndMessage(data, expected,
                    "%nExpecting pfn 0x%x to have memcg_data 0x%x but was 0x%x%n%s",
                    actual.pfn(), expected, data, dump());
        }
        return this;
    }

    /** {@code test_bit(bit, &page->flags)}, with {@code bit} a {@link PageFlags} PG_* number. */
    public PageAssert hasFlag(int bit) {
        isNotNull();
        if (!actual.testFlag(checkedBit(bit))) {
            failWithMessage("%nExpecting pfn 0x%x to have PG_%s set, but its flags are 0x%x(%s)%n%s",
                    actual.pfn(), PageFlags.name(bit), actual.pageFlags(),
                    PageFlags.describe(actual.flags()), dump());
        }
        return this;
    }

    /** The PG_* {@code bit} is clear. */
    public PageAssert doesNotHaveFlag(int bit) {
        isNotNull();
        if (actual.testFlag(checkedBit(bit))) {
            failWithMessage("%nExpecting pfn 0x%x to have PG_%s clear, but it is set%n%s",
                    actual.pfn(), PageFlags.name(bit), dump());
        }
        return this;
    }

    /** {@code PageHead}: the first page of a compound page. */
    public PageAssert isCompoundHead() {
        isNotNull();
        if (!actual.testFlag(PageFlags.PG_head)) {
            failWithMessage("%nExpecting pfn 0x%x to be a compound head (PG_head), but it is not%n%s",
                    actual.pfn(), dump());
        }
        return this;
    }

    /** {@code PageTail}: bit 0 of {@code compound_head} is set. */
    public PageAssert isTail() {
        isNotNull();
        if (!CompoundHead.isTail(actual)) {
            failWithMessage("%nExpecting pfn 0x%x to be a tail page, but compound_head bit 0 is clear%n%s",
                    actual.pfn(), dump());
        }
        return this;
    }

    /** A tail page whose {@code compound_head} is {@code head}. */
    public PageAssert isTailOf(Page head) {
        isTail();
        Page actualHead = CompoundHead.compoundHead(machine.memMap(), actual);
        if (actualHead != head) {
            failWithMessage("%nExpecting pfn 0x%x to be a tail of pfn 0x%x, but its compound_head is"
                    + " pfn 0x%x%n%s", actual.pfn(), head.pfn(), actualHead.pfn(), dump());
        }
        return this;
    }

    private PageAssert expectEqual(String what, int expected, int value) {
        if (value != expected) {
            failWithActualExpectedAndMessage(value, expected,
                    "%nExpecting pfn 0x%x to have %s %d but was %d%n%s",
                    actual.pfn(), what, expected, value, dump());
        }
        return this;
    }

    private String typesRead() {
        var types = machine.types().encoding().typesOf(actual.mapcountWord());
        if (types.isEmpty()) {
            return "holds no type";
        }
        StringBuilder sb = new StringBuilder("reads as");
        for (PageType t : types) {
            sb.append(" Page").append(kernelName(t));
        }
        return sb.toString();
    }

    private String dump() {
        return machine.dump(actual);
    }

    private static int checkedBit(int bit) {
        if (bit < 0 || bit >= PageFlags.NR_PAGEFLAGS) {
            throw new IllegalArgumentException("not a PG_* bit: " + bit);
        }
        return bit;
    }

    private static String kernelName(PageType type) {
        String n = type.kernelName();
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    private static String hexAndDecimal(int word) {
        return String.format(Locale.ROOT, "0x%08x (%d)", word, word);
    }
}
