package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.page.PageType.BALLOON;
import static org.mmemu.core.page.PageType.BUDDY;
import static org.mmemu.core.page.PageType.GUARD;
import static org.mmemu.core.page.PageType.HUGETLB;
import static org.mmemu.core.page.PageType.KMEMCG;
import static org.mmemu.core.page.PageType.OFFLINE;
import static org.mmemu.core.page.PageType.SLAB;
import static org.mmemu.core.page.PageType.TABLE;
import static org.mmemu.core.page.PageType.UNACCEPTED;
import static org.mmemu.core.page.PageType.ZSMALLOC;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.page.MapcountWord.Encoding;
import org.mmemu.core.testing.Seeded;

/**
 * The {@code _mapcount} registry against an independent statement of the kernel's rules: the
 * type values of each era are written out here from the reference (section B), not read back
 * from the registry, and every predicate is compared with the rule as the kernel states it.
 */
class MapcountWordTest {
    /** The kernel's type values per era (reference section B), stated independently. */
    private static final Map<Encoding, Map<PageType, Integer>> KERNEL_VALUES = new EnumMap<>(Encoding.class);

    static {
        KERNEL_VALUES.put(Encoding.VALUE_4_6, Map.of(BUDDY, -128, BALLOON, -256));
        KERNEL_VALUES.put(Encoding.VALUE_4_8, Map.of(BUDDY, -128, BALLOON, -256, KMEMCG, -512));
        KERNEL_VALUES.put(Encoding.BITS_4_18, Map.of(BUDDY, 0x80, BALLOON, 0x100, KMEMCG, 0x200, TABLE, 0x400));
        KERNEL_VALUES.put(Encoding.BITS_5_0,
                Map.of(BUDDY, 0x80, OFFLINE, 0x100, KMEMCG, 0x200, TABLE, 0x400, GUARD, 0x800));
        KERNEL_VALUES.put(Encoding.BITS_5_11, Map.of(BUDDY, 0x80, OFFLINE, 0x100, TABLE, 0x200, GUARD, 0x400));
        KERNEL_VALUES.put(Encoding.TOP_BYTE_6_13, Map.of(BUDDY, 0xf0, OFFLINE, 0xf1, TABLE, 0xf2, GUARD, 0xf3,
                HUGETLB, 0xf4, SLAB, 0xf5, ZSMALLOC, 0xf6, UNACCEPTED, 0xf7));
    }

    private static boolean isValue(Encoding e) {
        return e == Encoding.VALUE_4_6 || e == Encoding.VALUE_4_8;
    }

    private static boolean isBits(Encoding e) {
        return e == Encoding.BITS_4_18 || e == Encoding.BITS_5_0 || e == Encoding.BITS_5_11;
    }

    /** PageX as the kernel states it for the era. */
    private static boolean kernelHasType(Encoding e, int word, PageType t) {
        Integer v = KERNEL_VALUES.get(e).get(t);
        if (v == null) {
            return false;
        }
        if (isValue(e)) {
            return word == v;
        }
        if (isBits(e)) {
            // PageType(page, flag): top nibble all ones and the flag bit clear.
            return (word & 0xf0000000) == 0xf0000000 && (word & v) == 0;
        }
        return (word >>> 24) == v;
    }

    /** page_has_type as the kernel states it (value eras: equal to a type value). */
    private static boolean kernelPageHasType(Encoding e, int word) {
        if (isValue(e)) {
            return KERNEL_VALUES.get(e).containsValue(word);
        }
        if (isBits(e)) {
            return word < -128;
        }
        // 6.13: page_type_has_type(page_type - 1), the subtraction done in unsigned int.
        return (int) ((word & 0xffffffffL) - 1) < (int) 0xff000000L;
    }

    private static Set<PageType> supported(Encoding e) {
        return KERNEL_VALUES.get(e).keySet();
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void supportsExactlyTheEraTypesWithTheKernelValues(Encoding e) {
        for (PageType t : PageType.values()) {
            assertThat(e.supports(t)).as("%s supports %s", e, t).isEqualTo(supported(e).contains(t));
            if (e.supports(t)) {
                assertThat(e.rawValue(t)).as("%s value of %s", e, t).isEqualTo(KERNEL_VALUES.get(e).get(t));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void noTwoTypesCollideWithinAnEncoding(Encoding e) {
        for (PageType a : supported(e)) {
            int typed = e.set(MapcountWord.UNMAPPED, a);
            assertThat(e.typesOf(typed)).as("%s word of %s alone", e, a).containsExactly(a);
            for (PageType b : supported(e)) {
                if (a != b) {
                    assertThat(typed).as("%s: %s and %s", e, a, b).isNotEqualTo(e.set(MapcountWord.UNMAPPED, b));
                    assertThat(e.hasType(typed, b)).as("%s word of %s reads as %s", e, a, b).isFalse();
                    if (isBits(e)) {
                        assertThat(e.rawValue(a) & e.rawValue(b)).as("%s: %s and %s share bits", e, a, b).isZero();
                    }
                }
            }
        }
    }

    @Test
    void onlyTheKernelsThatHavePageHasTypeSayTheyHaveIt() {
        // include/linux/page-flags.h: no page_has_type in 4.8, 4.18 or 4.19.1; there in 5.9.1.
        assertThat(Arrays.stream(Encoding.values()).filter(Encoding::kernelHasPageHasType))
                .containsExactly(Encoding.BITS_5_0, Encoding.BITS_5_11, Encoding.TOP_BYTE_6_13);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void noTypedWordLooksLikeAPlausibleMapcountNorTheReverse(Encoding e) {
        for (PageType t : supported(e)) {
            int typed = e.set(MapcountWord.UNMAPPED, t);
            // <= -2 and not close to it: an underflowing mapcount must not read as a type.
            assertThat(typed).as("%s %s", e, t).isLessThanOrEqualTo(MapcountWord.PAGE_MAPCOUNT_RESERVE);
            assertThat(e.pageHasType(typed)).as("page_has_type of %s %s", e, t).isTrue();
            if (isBits(e)) {
                assertThat(e.rawValue(t) & 0x7f).as("reserved low bits").isZero();
                assertThat(e.rawValue(t) & MapcountWord.PAGE_TYPE_BASE).as("base nibble").isZero();
            }
        }
        // Unmapped, mapped up to a million times, and underflowed down to -127: never typed.
        for (int word = -127; word <= 1_000_000; word++) {
            assertThat(e.pageHasType(word)).as("%s page_has_type(%d)", e, word).isFalse();
            for (PageType t : supported(e)) {
                if (e.hasType(word, t)) {
                    throw new AssertionError(e + ": mapcount word " + word + " reads as " + t);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void predicatesMatchTheKernelRuleOnRandomWords(Encoding e) {
        Seeded.run(0x6d617063L + e.ordinal(), rnd -> {
            for (int i = 0; i < 200_000; i++) {
                // Half of the words near the typed region, where the rules differ most.
                int word = rnd.nextBoolean() ? rnd.nextInt() : 0xf0000000 | rnd.nextInt(1 << 28);
                if (rnd.nextInt(8) == 0) {
                    word = (rnd.nextInt(0x100) << 24) | rnd.nextInt(0x10000);
                }
                for (PageType t : PageType.values()) {
                    if (e.hasType(word, t) != kernelHasType(e, word, t)) {
                        throw new AssertionError(String.format("%s Page%s(0x%08x): registry %s, kernel %s",
                                e, t, word, e.hasType(word, t), kernelHasType(e, word, t)));
                    }
                }
                if (e.pageHasType(word) != kernelPageHasType(e, word)) {
                    throw new AssertionError(String.format("%s page_has_type(0x%08x)", e, word));
                }
                assertThat(e.typesOf(word)).isEqualTo(kernelTypesOf(e, word));
            }
        });
    }

    private static Set<PageType> kernelTypesOf(Encoding e, int word) {
        Set<PageType> s = EnumSet.noneOf(PageType.class);
        for (PageType t : PageType.values()) {
            if (kernelHasType(e, word, t)) {
                s.add(t);
            }
        }
        return s;
    }

    @ParameterizedTest
    @EnumSource(names = {"VALUE_4_6", "VALUE_4_8"})
    void valueEncodingHoldsOneTypeAndSetsOnlyFromMinusOne(Encoding e) {
        for (PageType t : supported(e)) {
            assertThat(e.canSet(MapcountWord.UNMAPPED, t)).isTrue();
            assertThat(e.canSet(0, t)).as("a mapped page").isFalse();
            for (PageType other : supported(e)) {
                // Even the same type again: __SetPageX wants _mapcount == -1.
                assertThat(e.canSet(e.set(MapcountWord.UNMAPPED, other), t)).as("%s over %s", t, other).isFalse();
            }
            int typed = e.set(MapcountWord.UNMAPPED, t);
            assertThat(e.canClear(typed, t)).isTrue();
            assertThat(e.clear(typed, t)).isEqualTo(MapcountWord.UNMAPPED);
            assertThat(e.canClear(MapcountWord.UNMAPPED, t)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"BITS_4_18", "BITS_5_0", "BITS_5_11"})
    void bitEncodingLetsTypesCoexistAndSetClearsABit(Encoding e) {
        int word = MapcountWord.UNMAPPED;
        for (PageType t : supported(e)) {
            assertThat(e.canSet(word, t)).isTrue();
            int next = e.set(word, t);
            assertThat(next).isEqualTo(word & ~KERNEL_VALUES.get(e).get(t));
            word = next;
        }
        assertThat(e.typesOf(word)).isEqualTo(supported(e));
        for (PageType t : supported(e)) {
            assertThat(e.canClear(word, t)).isTrue();
            word = e.clear(word, t);
            assertThat(e.hasType(word, t)).isFalse();
        }
        assertThat(word).isEqualTo(MapcountWord.UNMAPPED);
        // A mapped page (top nibble gone) cannot take a type.
        assertThat(e.canSet(3, BUDDY)).isFalse();
    }

    @Test
    void bitEncodingKmemcgAloneIsMinus513AndHasAType() {
        int kmemcg = Encoding.BITS_4_18.set(MapcountWord.UNMAPPED, KMEMCG);
        assertThat(kmemcg).isEqualTo(0xfffffdff).isEqualTo(-513);
        assertThat(Encoding.BITS_4_18.pageHasType(kmemcg)).isTrue();
        assertThat(Encoding.BITS_5_0.set(MapcountWord.UNMAPPED, KMEMCG)).isEqualTo(-513);
    }

    @Test
    void topByteEncodingHoldsOneTypeAndItsOwnerKeepsTheLowBits() {
        Encoding e = Encoding.TOP_BYTE_6_13;
        int table = e.set(MapcountWord.UNMAPPED, TABLE);
        assertThat(table).isEqualTo(0xf2000000);
        assertThat(e.canSet(table, BUDDY)).as("a second type").isFalse();
        // The owner may use the low 16 bits; setting the same type again is a no-op.
        int withOwnerBits = table | 0x1234;
        assertThat(e.hasType(withOwnerBits, TABLE)).isTrue();
        assertThat(e.canSet(withOwnerBits, TABLE)).isTrue();
        assertThat(e.set(withOwnerBits, TABLE)).isEqualTo(withOwnerBits);
        // Clearing writes UINT_MAX; clearing an untyped word is a no-op, another type is not.
        assertThat(e.clear(withOwnerBits, TABLE)).isEqualTo(MapcountWord.UNMAPPED);
        assertThat(e.canClear(MapcountWord.UNMAPPED, BUDDY)).isTrue();
        assertThat(e.clear(MapcountWord.UNMAPPED, BUDDY)).isEqualTo(MapcountWord.UNMAPPED);
        assertThat(e.canClear(table, BUDDY)).isFalse();
    }

    @Test
    void topBytePageTypeHasTypeAndPageHasTypeDifferByTheKernelsMinusOne() {
        assertThat(MapcountWord.pageTypeHasType(0xf7ffffff)).isTrue();
        assertThat(MapcountWord.pageTypeHasType(0x80000000)).as("reserved for mapcount overflow").isTrue();
        assertThat(MapcountWord.pageTypeHasType(0xff000000)).isFalse();
        assertThat(MapcountWord.pageTypeHasType(MapcountWord.UNMAPPED)).isFalse();
        // page_has_type passes page_type to page_mapcount_is_type, which subtracts one.
        assertThat(Encoding.TOP_BYTE_6_13.pageHasType(0xff000000)).isTrue();
        assertThat(Encoding.TOP_BYTE_6_13.pageHasType(0x80000000)).isFalse();
    }

    // ---- Conflicts worth emulating 1 and 2: a mapcount increment on a typed word ----------

    @Test
    void mappingAKmemcgPageInTheValueEncodingLosesTheTypeUntilUnmapped() {
        Encoding e = Encoding.VALUE_4_8;
        int word = e.set(MapcountWord.UNMAPPED, KMEMCG);
        assertThat(word).isEqualTo(-512);
        int mapped = word + 1;
        assertThat(mapped).isEqualTo(-511);
        assertThat(e.hasType(mapped, KMEMCG)).isFalse();
        assertThat(e.typesOf(mapped)).isEmpty();
        assertThat(MapcountWord.pageMapcount(mapped)).isEqualTo(-510);
        assertThat(MapcountWord.pageMapcount(mapped + 1)).as("mapped twice").isEqualTo(-509);
        assertThat(e.hasType(mapped - 1, KMEMCG)).as("unmapped again").isTrue();
    }

    @Test
    void mappingAKmemcgPageInTheBitEncodingMakesItReadAsBuddy() {
        int kmemcg = 0xfffffdff;
        int mapped = kmemcg + 1;
        assertThat(mapped).isEqualTo(0xfffffe00);
        Encoding bits418 = Encoding.BITS_4_18;
        assertThat(bits418.hasType(mapped, KMEMCG)).isFalse();
        assertThat(bits418.hasType(mapped, BUDDY)).isTrue();
        assertThat(bits418.hasType(mapped, BALLOON)).isTrue();
        assertThat(bits418.hasType(mapped, TABLE)).isFalse();
        Encoding bits50 = Encoding.BITS_5_0;
        assertThat(bits50.typesOf(mapped)).containsExactlyInAnyOrder(BUDDY, OFFLINE);
        assertThat(bits50.hasType(mapped - 1, KMEMCG)).as("unmapped again").isTrue();
        assertThat(bits50.typesOf(mapped - 1)).containsExactly(KMEMCG);
    }

    // ---- SLUB counters view ---------------------------------------------------------------

    @Test
    void slubCountersPackAndUnpack() {
        Seeded.run(0x51abL, rnd -> {
            for (int i = 0; i < 100_000; i++) {
                int objects = rnd.nextInt(MapcountWord.SLUB_OBJECTS_MASK + 1);
                int inuse = rnd.nextInt(MapcountWord.SLUB_INUSE_MASK + 1);
                boolean frozen = rnd.nextBoolean();
                int word = MapcountWord.slubCounters(inuse, objects, frozen);
                assertThat(word).isEqualTo(inuse | objects << 16 | (frozen ? 0x80000000 : 0));
                assertThat(MapcountWord.slubInuse(word)).isEqualTo(inuse);
                assertThat(MapcountWord.slubObjects(word)).isEqualTo(objects);
                assertThat(MapcountWord.slubFrozen(word)).isEqualTo(frozen);
            }
        });
        assertThatThrownBy(() -> MapcountWord.slubCounters(0x10000, 1, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MapcountWord.slubCounters(1, 0x8000, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(names = {"VALUE_4_6", "VALUE_4_8"})
    void slubCountersEraseATypeAndNeverForgeOne(Encoding e) {
        // SLUB writing its counters over a Kmemcg page (Conflict 4): the type is gone.
        int counters = MapcountWord.slubCounters(1, 32, false);
        assertThat(e.typesOf(counters)).isEmpty();
        // Valid counters have inuse <= objects <= 32767; every type value has inuse >= 0xfe00.
        Seeded.run(0x51ab2L, rnd -> {
            for (int i = 0; i < 100_000; i++) {
                int objects = rnd.nextInt(MapcountWord.SLUB_OBJECTS_MASK + 1);
                int word = MapcountWord.slubCounters(rnd.nextInt(objects + 1), objects, rnd.nextBoolean());
                assertThat(e.pageHasType(word)).as("counters 0x%08x", word).isFalse();
            }
        });
        int full = MapcountWord.slubCounters(0x7fff, 0x7fff, true);
        assertThat(e.pageHasType(full)).isFalse();
    }

    // ---- s390 fragment view ---------------------------------------------------------------

    @Test
    void s390FoldedMaskSeesAllocatedAndPendingHalves() {
        assertThat(MapcountWord.s390FoldedMask(0x00)).isZero();
        assertThat(MapcountWord.s390FoldedMask(0x01)).isEqualTo(1);
        assertThat(MapcountWord.s390FoldedMask(0x10)).as("lower half pending RCU").isEqualTo(1);
        assertThat(MapcountWord.s390FoldedMask(0x21)).isEqualTo(3);
        assertThat(MapcountWord.s390FoldedMask(0x03)).isEqualTo(3);
        Seeded.run(0x5390L, rnd -> {
            for (int i = 0; i < 100_000; i++) {
                int w = rnd.nextInt();
                long u = w & 0xffffffffL;
                assertThat(MapcountWord.s390FoldedMask(w)).isEqualTo((int) ((u | u >> 4) & 3));
            }
        });
        // A Kmemcg word folds to "both halves free" and page_table_alloc overwrites it (Conflict 5).
        int kmemcg = Encoding.VALUE_4_8.set(MapcountWord.UNMAPPED, KMEMCG);
        assertThat(MapcountWord.s390FoldedMask(kmemcg)).isZero();
        assertThat(Encoding.VALUE_4_8.typesOf(1)).as("after atomic_set(_mapcount, 1)").isEmpty();
    }

    @Test
    void typesOfOnlyEverNamesTypesTheEraHas() {
        for (Encoding e : Encoding.values()) {
            assertThat(e.typesOf(0)).isEmpty();
            assertThat(e.typesOf(MapcountWord.UNMAPPED)).isEmpty();
            assertThat(supported(e)).containsAll(e.typesOf(0xf0000000));
        }
    }
}
