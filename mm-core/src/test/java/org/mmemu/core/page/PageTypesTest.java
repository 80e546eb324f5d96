package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.Machine;

/**
 * {@code __SetPageX}/{@code __ClearPageX} on real pages under each era's encoding: what the
 * kernel allows goes through, what it asserts against is a {@link KernelBug} carrying the
 * dump_page text, and the page is left as it was.
 */
class PageTypesTest {

    /** Asserts the bug is VM_BUG_ON_PAGE(...) followed by the page's dump because of it. */
    private static void assertVmBugWithDump(Machine m, KernelBug bug, Page page, String condition) {
        String msg = bug.getMessage();
        String assertion = msg.lines().findFirst().orElseThrow();
        assertThat(assertion).startsWith("VM_BUG_ON_PAGE(").contains(condition).endsWith(")");
        DumpPage dump = m.injector.getInstance(DumpPage.class);
        assertThat(msg).isEqualTo(assertion + "\n" + dump.dump(page, assertion));
        assertThat(msg).contains(String.format("page:%016x refcount:", MemMap.structPageAddress(page)))
                .contains("pfn:0x" + Long.toHexString(page.pfn()))
                .contains("page dumped because: " + assertion);
    }

    @Test
    void valueEncodingRefusesASecondTypeAndAnAbsentClear() {
        Machine m = Machine.bootWithPageTypes("pagetype.Value48");
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.types.set(page, PageType.KMEMCG);
        assertThat(page.mapcountWord()).isEqualTo(-512);

        // Conflict 6: Balloon on a Kmemcg page.
        KernelBug bug = catchThrowableOfType(() -> m.types.set(page, PageType.BALLOON), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__SetPageBalloon");
        assertThat(page.mapcountWord()).as("untouched").isEqualTo(-512);

        bug = catchThrowableOfType(() -> m.types.clear(page, PageType.BUDDY), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__ClearPageBuddy");

        m.types.clear(page, PageType.KMEMCG);
        assertThat(page.mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
        bug = catchThrowableOfType(() -> m.types.clear(page, PageType.KMEMCG), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__ClearPageKmemcg");

        m.alloc.freePage(page);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void bitEncodingLetsKmemcgAndTableCoexistButRefusesAMappedPage() {
        Machine m = Machine.bootWithPageTypes("pagetype.Bits418");
        Page page = m.alloc.allocPage(GFP_KERNEL);
        m.types.set(page, PageType.KMEMCG);
        m.types.set(page, PageType.TABLE);
        assertThat(page.mapcountWord()).isEqualTo(0xfffff9ff);
        assertThat(m.types.has(page, PageType.KMEMCG)).isTrue();
        assertThat(m.types.has(page, PageType.TABLE)).isTrue();
        assertThat(m.types.hasAnyType(page)).isTrue();

        KernelBug bug = catchThrowableOfType(() -> m.types.clear(page, PageType.BUDDY), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__ClearPageBuddy");
        m.types.clear(page, PageType.TABLE);
        m.types.clear(page, PageType.KMEMCG);

        page.mapcountAddReturn(1);
        bug = catchThrowableOfType(() -> m.types.set(page, PageType.TABLE), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__SetPageTable");
        assertThat(page.mapcountWord()).isZero();
        page.mapcountAddReturn(-1);

        m.alloc.freePage(page);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void topByteEncodingRefusesASecondTypeButClearingAnUntypedPageIsANoOp() {
        Machine m = Machine.boot();
        assertThat(m.types.encoding()).isSameAs(MapcountWord.Encoding.TOP_BYTE_6_13);
        Page page = m.alloc.allocPage(GFP_KERNEL);

        m.types.clear(page, PageType.TABLE);
        assertThat(page.mapcountWord()).as("__ClearPageTable on UINT_MAX").isEqualTo(MapcountWord.UNMAPPED);

        m.types.set(page, PageType.TABLE);
        m.types.set(page, PageType.TABLE);
        assertThat(page.mapcountWord()).isEqualTo(0xf2000000);
        KernelBug bug = catchThrowableOfType(() -> m.types.set(page, PageType.SLAB), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__SetPageSlab");
        bug = catchThrowableOfType(() -> m.types.clear(page, PageType.SLAB), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__ClearPageSlab");
        assertThat(page.mapcountWord()).isEqualTo(0xf2000000);

        m.types.clear(page, PageType.TABLE);
        m.alloc.freePage(page);
        assertThat(m.leakedPages()).isZero();
    }

    @Test
    void aTypeTheEraDoesNotHaveCannotBeSet() {
        Machine m = Machine.bootWithPageTypes("pagetype.Bits511");
        Page page = m.alloc.allocPage(GFP_KERNEL);
        KernelBug bug = catchThrowableOfType(() -> m.types.set(page, PageType.KMEMCG), KernelBug.class);
        assertVmBugWithDump(m, bug, page, "__SetPageKmemcg");
        assertThat(page.mapcountWord()).isEqualTo(MapcountWord.UNMAPPED);
        m.alloc.freePage(page);
        assertThat(m.leakedPages()).isZero();
    }
}
