package org.mmemu.core.mm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.mm.VmFlags.VM_MIXEDMAP;
import static org.mmemu.core.mm.VmFlags.VM_READ;
import static org.mmemu.core.mm.VmFlags.VM_SHARED;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmemu.core.Errno;
import org.mmemu.core.Machine;
import org.mmemu.core.TestModules;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.page.PageType;
import org.mmemu.core.page.PageTypeEncoding;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.vmstat.VmStat;
import org.mmemu.core.vmstat.VmStatItem;

/**
 * Mapping typed pages (reference, "Conflicts worth emulating" 1 and 2): refused from 5.1, and
 * before that mapped with the type word corrupted exactly as the kernel corrupted it.
 */
class TypedPageInsertTest {
    private static final long BASE = 0x10000000L;
    private static final String TYPED_51 = "insertpage.AnonSlabTyped";
    private static final String ANON_ONLY = "insertpage.AnonOnly";

    private Machine m;
    private AddressSpaces spaces;
    private MemoryMapping memory;
    private VmStat vmStat;
    private MmStruct mm;
    private Vma vma;
    private Page page;

    private void boot(String encoding, String rule) {
        m = Machine.boot(TestModules.select(PageTypeEncoding.class, encoding),
                TestModules.select(InsertPagePolicy.class, rule));
        spaces = m.injector.getInstance(AddressSpaces.class);
        memory = m.injector.getInstance(MemoryMapping.class);
        vmStat = m.injector.getInstance(VmStat.class);
        mm = spaces.mmAlloc();
        spaces.mmapSpecial(mm, BASE, 2 * MemMap.PAGE_SIZE, VM_READ | VM_SHARED);
        vma = mm.vmaLookup(BASE);
        page = m.alloc.allocPage(GFP_KERNEL);
    }

    @AfterEach
    void nothingLeaked() {
        spaces.mmput(mm);
        assertThat(page.refcount()).isEqualTo(1);
        for (PageType t : m.types.encoding().typesOf(page.mapcountWord())) {
            m.types.clear(page, t);
        }
        m.alloc.freePage(page);
        assertThat(vmStat.read(VmStatItem.NR_PAGETABLE)).isZero();
        assertThat(m.leakedPages()).isZero();
    }

    static Stream<Arguments> typesPerEncodingFrom51() {
        return Stream.of(
                Arguments.of("pagetype.Bits50", PageType.KMEMCG),
                Arguments.of("pagetype.Bits50", PageType.OFFLINE),
                Arguments.of("pagetype.Bits50", PageType.GUARD),
                Arguments.of("pagetype.Bits511", PageType.OFFLINE),
                Arguments.of("pagetype.Bits511", PageType.TABLE),
                Arguments.of("pagetype.TopByte613", PageType.OFFLINE),
                Arguments.of("pagetype.TopByte613", PageType.TABLE),
                Arguments.of("pagetype.TopByte613", PageType.SLAB));
    }

    @ParameterizedTest
    @MethodSource("typesPerEncodingFrom51")
    void from51ATypedPageIsRefusedAndLeftUntouched(String encoding, PageType type) {
        boot(encoding, TYPED_51);
        m.types.set(page, type);
        int word = page.mapcountWord();

        assertThat(memory.vmInsertPage(vma, BASE, page)).isEqualTo(Errno.EINVAL.negative());

        assertThat(page.mapcountWord()).isEqualTo(word);
        assertThat(m.types.has(page, type)).isTrue();
        assertThat(page.refcount()).isEqualTo(1);
        assertThat(memory.followPage(vma, BASE)).isNull();
        assertThat(mm.rss(MmStruct.MM_FILEPAGES)).isZero();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
        assertThat(vma.hasFlags(VM_MIXEDMAP)).isTrue();
    }

    @Test
    void value48KmemcgPageMappedLosesItsTypeAndUnmapDriftsNrFileMappedNegative() {
        boot("pagetype.Value48", ANON_ONLY);
        m.types.set(page, PageType.KMEMCG);
        assertThat(page.mapcountWord()).isEqualTo(-512);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isZero();

        assertThat(page.mapcountWord()).isEqualTo(-511);
        assertThat(m.types.has(page, PageType.KMEMCG)).as("PageKmemcg").isFalse();
        assertThat(MapcountWord.pageMapcount(page.mapcountWord())).isEqualTo(-510);
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as("inc_and_test was false").isZero();
        assertThat(page.refcount()).isEqualTo(2);

        assertThat(memory.vmInsertPage(vma, BASE + MemMap.PAGE_SIZE, page)).isZero();
        assertThat(page.mapcountWord()).as("mapped twice").isEqualTo(-510);

        spaces.munmap(mm, BASE, 2 * MemMap.PAGE_SIZE);

        assertThat(page.mapcountWord()).isEqualTo(-512);
        assertThat(m.types.has(page, PageType.KMEMCG)).isTrue();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).as("each negative result decrements")
                .isEqualTo(-2);
        assertBadPageMapReported();
    }

    @ParameterizedTest
    @CsvSource({"pagetype.Bits418, BALLOON", "pagetype.Bits50, OFFLINE"})
    void bitEncodingKmemcgPageMappedBefore51ReadsAsAFreeBuddyPage(String encoding, PageType neighbour) {
        boot(encoding, ANON_ONLY);
        m.types.set(page, PageType.KMEMCG);
        assertThat(page.mapcountWord()).isEqualTo(0xfffffdff);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isZero();

        assertThat(page.mapcountWord()).isEqualTo(0xfffffe00);
        assertThat(m.types.has(page, PageType.KMEMCG)).isFalse();
        assertThat(m.types.has(page, PageType.BUDDY)).isTrue();
        assertThat(m.types.has(page, neighbour)).isTrue();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();

        spaces.munmap(mm, BASE, MemMap.PAGE_SIZE);

        assertThat(page.mapcountWord()).isEqualTo(0xfffffdff);
        assertThat(m.types.has(page, PageType.KMEMCG)).isTrue();
        assertThat(m.types.has(page, PageType.BUDDY)).isFalse();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isEqualTo(-1);
        assertBadPageMapReported();
    }

    @Test
    void anUntypedPageUnmapsWithoutAReport() {
        boot("pagetype.Value48", ANON_ONLY);

        assertThat(memory.vmInsertPage(vma, BASE, page)).isZero();
        spaces.munmap(mm, BASE, MemMap.PAGE_SIZE);

        assertThat(m.log.dmesg()).doesNotContain("Bad page map");
        assertThat(m.log.isTainted(KernelLog.TAINT_BAD_PAGE)).isFalse();
        assertThat(vmStat.read(VmStatItem.NR_FILE_MAPPED)).isZero();
    }

    /** zap_pte_range calls print_bad_pte when page_mapcount is negative after the unmap. */
    private void assertBadPageMapReported() {
        assertThat(m.log.dmesg())
                .containsPattern("BUG: Bad page map in process swapper/\\d  pte:[0-9a-f]+ pmd:[0-9a-f]+")
                .contains("page dumped because: bad pte")
                .contains("addr:0000000010000000 vm_flags:");
        assertThat(m.log.isTainted(KernelLog.TAINT_BAD_PAGE)).isTrue();
    }
}
