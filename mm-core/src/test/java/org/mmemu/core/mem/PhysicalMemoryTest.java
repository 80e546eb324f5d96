package org.mmemu.core.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mmemu.core.mem.PhysicalMemory.PAGE_POISON;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.mmemu.core.MemoryConfig;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;

/** The store alone: page-level operations, lazy states, first writes racing, and a model check. */
class PhysicalMemoryTest {
    private static final int PAGE = MemMap.PAGE_SIZE;

    /** Two sections and a bit, so section boundaries are crossed. */
    private final MemMap memMap = new MemMap(2 * PhysicalMemory.SECTION_PAGES + 16, pfn -> 0);
    private final PhysicalMemory ram = new PhysicalMemory(memMap);

    private byte[] read(long pfn) {
        byte[] b = new byte[PAGE];
        ram.read(pfn, 0, b, 0, PAGE);
        return b;
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[PAGE];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void longWordsAreLittleEndianAndReadAsTheLazyStates() {
        assertThat(ram.readLong(7, 8)).as("untouched: poison").isEqualTo(0xaaaaaaaaaaaaaaaaL);
        ram.clearHighpage(memMap.page(7));
        assertThat(ram.readLong(7, 8)).isZero();
        ram.writeLong(7, 8, 0x1122334455667788L);
        assertThat(ram.readLong(7, 8)).isEqualTo(0x1122334455667788L);
        assertThat(ram.readByte(7, 8)).as("the low byte first").isEqualTo((byte) 0x88);
        assertThat(ram.readByte(7, 0)).as("the rest of a zeroed frame stays zero").isZero();
        ram.writeLong(8, 0, 1);
        assertThat(ram.readByte(8, 8)).as("the rest of a poisoned frame stays poison").isEqualTo(PAGE_POISON);
    }

    /** A freed frame's array, kept across the free, never shows its old bytes to the next first write. */
    @Test
    void aFirstWriteAfterAFreeSeesOnlyWhatTheFrameReadsAs() {
        ram.write(9, 0, filled(1), 0, PAGE);
        ram.kernelPoisonPages(memMap.page(9), 1);
        ram.write(9, 0, new byte[] {2}, 0, 1);
        assertThat(read(9)[1]).as("poisoned, not the freed bytes").isEqualTo(PAGE_POISON);
        assertThat(read(9)[0]).isEqualTo((byte) 2);

        ram.kernelPoisonPages(memMap.page(9), 1);
        ram.kernelInitPages(memMap.page(9), 1);
        ram.writeLong(9, 8, 3);
        assertThat(read(9)[100]).as("zeroed, not the freed bytes").isZero();

        ram.kernelPoisonPages(memMap.page(9), 1);
        ram.write(9, 0, filled(4), 0, PAGE);
        assertThat(read(9)).isEqualTo(filled(4));
        assertThat(read(10)).as("its neighbour is untouched").isEqualTo(filled(PAGE_POISON));
    }

    /** The page cycle of a written frame (a pipe buffer's) makes no garbage: the free keeps its array. */
    @Test
    void aFrameKeepsItsArrayAcrossFreesUpToTheBudget() {
        PhysicalMemory small = new PhysicalMemory(memMap, 2);
        for (int round = 0; round < 3; round++) {
            for (int pfn = 0; pfn < 3; pfn++) {
                small.write(pfn, 0, filled(round), 0, PAGE);
                assertThat(small.readByte(pfn, PAGE - 1)).isEqualTo((byte) round);
            }
            for (int pfn = 0; pfn < 3; pfn++) {
                small.kernelPoisonPages(memMap.page(pfn), 1);
                assertThat(small.isTouched(pfn)).isFalse();
            }
            assertThat(frameArrays(small)).as("round %d: two kept, the third dropped", round).isEqualTo(2);
        }
        small.write(1, 0, new byte[] {7}, 0, 1);
        assertThat(small.readByte(1, 1)).as("a kept array's old bytes are gone").isEqualTo(PAGE_POISON);
        small.kernelInitPages(memMap.page(2), 1);
        assertThat(small.readLong(2, PAGE - 8)).as("zeroed without a fill, still read as zeroes").isZero();
        assertThat(small.hasArray(2)).isFalse();
    }

    private static long frameArrays(PhysicalMemory store) {
        return org.openjdk.jol.info.GraphLayout.parseInstance(store).getClassCounts().count(byte[].class);
    }

    @Test
    void clearHighpageNeedsNoFill() {
        ram.memset(5, 0, 1, 100);
        ram.clearHighpage(memMap.page(5));
        assertThat(read(5)).isEqualTo(filled(0));
        assertThat(ram.hasArray(5)).isFalse();
        assertThat(ram.isTouched(5)).isTrue();
    }

    @Test
    void copyHighpageCopiesBytesAndLazyStatesAlike() {
        ram.memset(1, 0, 0x11, PAGE / 2);
        ram.copyHighpage(memMap.page(2), memMap.page(1));
        assertThat(read(2)).isEqualTo(read(1));
        ram.memset(1, 0, 0x22, 1);
        assertThat(ram.readByte(2, 0)).as("a copy, not a shared array").isEqualTo((byte) 0x11);

        ram.clearHighpage(memMap.page(3));
        ram.copyHighpage(memMap.page(2), memMap.page(3));
        assertThat(read(2)).isEqualTo(filled(0));
        assertThat(ram.hasArray(2)).isFalse();

        ram.copyHighpage(memMap.page(2), memMap.page(4));
        assertThat(read(2)).isEqualTo(filled(PAGE_POISON));
        assertThat(ram.isTouched(2)).isFalse();
    }

    @Test
    void memsetOfAWholePageWithZeroOrPoisonNeedsNoArray() {
        ram.memset(7, 0, 0x33, 8);
        ram.memset(7, 0, 0, PAGE);
        assertThat(ram.hasArray(7)).isFalse();
        assertThat(read(7)).isEqualTo(filled(0));
        ram.memset(7, 0, PAGE_POISON, PAGE);
        assertThat(ram.isTouched(7)).isFalse();
        ram.memset(7, 0, 0x44, PAGE);
        assertThat(read(7)).isEqualTo(filled(0x44));
    }

    @Test
    void copyBetweenFramesAndOverlappingWithinOne() {
        byte[] src = new byte[64];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) i;
        }
        ram.write(9, 0, src, 0, 64);
        ram.copy(10, 4000, 9, 0, 64 - 0x28);
        ram.copy(9, 8, 9, 0, 32);
        assertThat(ram.readByte(10, 4000 + 5)).isEqualTo((byte) 5);
        assertThat(ram.readByte(10, 3999)).isEqualTo(PAGE_POISON);
        assertThat(ram.readByte(9, 8 + 31)).as("memmove semantics").isEqualTo((byte) 31);
        ram.copy(11, 0, 12, 0, 10);
        assertThat(ram.isTouched(11)).as("poison copied onto poison").isFalse();
    }

    @Test
    void accessOutsideTheFrameIsRefused() {
        assertThatThrownBy(() -> ram.write(1, PAGE - 1, new byte[2], 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ram.readByte(1, PAGE)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void poisonAndInitTakeWholeBlocksUpToASectionsEnd() {
        int last = PhysicalMemory.SECTION_PAGES - 4;
        Page page = memMap.page(last);
        ram.kernelInitPages(page, 4);
        for (int i = 0; i < 4; i++) {
            assertThat(read(last + i)).isEqualTo(filled(0));
        }
        assertThat(ram.anyTouched(memMap.page(PhysicalMemory.SECTION_PAGES), 4)).isFalse();
        ram.memset(last + 3, 0, 9, 1);
        assertThat(ram.anyTouched(page, 4)).isTrue();
        ram.kernelPoisonPages(page, 4);
        assertThat(ram.anyTouched(page, 4)).isFalse();
        assertThatThrownBy(() -> ram.kernelPoisonPages(memMap.page(last + 2), 4))
                .as("a buddy block is aligned to its size: it never straddles a section")
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void firstWritesOfTwoCpusToOnePageLoseNothing() throws Exception {
        int threads = 2;
        int rounds = 2000;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int half = t;
            Thread th = new Thread(() -> {
                try {
                    byte[] mine = {(byte) (half + 1)};
                    for (int r = 0; r < rounds; r++) {
                        // a fresh section and page each round: both first-write paths race.
                        int pfn = (r % 3 == 0 ? PhysicalMemory.SECTION_PAGES : 0) + r % 1000;
                        barrier.await();
                        ram.write(pfn, half * (PAGE / 2), mine, 0, 1);
                        barrier.await();
                        if (half == 0) {
                            assertThat(ram.readByte(pfn, 0)).isEqualTo((byte) 1);
                            assertThat(ram.readByte(pfn, PAGE / 2)).isEqualTo((byte) 2);
                            ram.kernelPoisonPages(memMap.page(pfn), 1);
                        }
                        barrier.await();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                    barrier.reset();
                }
            });
            workers.add(th);
            th.start();
        }
        for (Thread th : workers) {
            th.join();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void randomOperationsMatchAPlainByteModel() {
        Seeded.run(0x3a3L, rnd -> {
            int pages = 6;
            long[] pfns = {0, 1, 2, PhysicalMemory.SECTION_PAGES - 1, PhysicalMemory.SECTION_PAGES,
                2L * PhysicalMemory.SECTION_PAGES + 15};
            byte[][] model = new byte[pages][];
            for (int i = 0; i < pages; i++) {
                model[i] = filled(PAGE_POISON);
            }
            for (int step = 0; step < 3000; step++) {
                int a = rnd.nextInt(pages);
                int b = rnd.nextInt(pages);
                int off = rnd.nextInt(PAGE);
                int len = rnd.nextInt(PAGE - off + 1);
                switch (rnd.nextInt(7)) {
                    case 0 -> {
                        byte[] src = new byte[len];
                        for (int i = 0; i < len; i++) {
                            src[i] = (byte) rnd.nextInt(256);
                        }
                        ram.write(pfns[a], off, src, 0, len);
                        System.arraycopy(src, 0, model[a], off, len);
                    }
                    case 1 -> {
                        int c = rnd.nextInt(3) == 0 ? PAGE_POISON : rnd.nextInt(2);
                        int o = rnd.nextBoolean() ? 0 : off;
                        int l = o == 0 ? PAGE : len;
                        ram.memset(pfns[a], o, c, l);
                        Arrays.fill(model[a], o, o + l, (byte) c);
                    }
                    case 2 -> {
                        int srcOff = rnd.nextInt(PAGE - len + 1);
                        ram.copy(pfns[a], off, pfns[b], srcOff, len);
                        System.arraycopy(model[b], srcOff, model[a], off, len);
                    }
                    case 3 -> {
                        ram.clearHighpage(memMap.page((int) pfns[a]));
                        Arrays.fill(model[a], (byte) 0);
                    }
                    case 4 -> {
                        ram.copyHighpage(memMap.page((int) pfns[a]), memMap.page((int) pfns[b]));
                        model[a] = model[b].clone();
                    }
                    case 5 -> {
                        ram.kernelPoisonPages(memMap.page((int) pfns[a]), 1);
                        Arrays.fill(model[a], PAGE_POISON);
                    }
                    default -> {
                        byte[] got = new byte[len];
                        ram.read(pfns[a], off, got, 0, len);
                        assertThat(got).isEqualTo(Arrays.copyOfRange(model[a], off, off + len));
                    }
                }
            }
            for (int i = 0; i < pages; i++) {
                assertThat(read(pfns[i])).as("page %d", i).isEqualTo(model[i]);
            }
        });
    }

    @Test
    void aMachineBindsOneStorePerInjector() {
        var one = org.mmemu.core.Machine.boot(MemoryConfig.of("16M"));
        assertThat(one.ram).isSameAs(one.injector.getInstance(PhysicalMemory.class));
        assertThat(one.consistencyViolations()).isEmpty();
    }
}
