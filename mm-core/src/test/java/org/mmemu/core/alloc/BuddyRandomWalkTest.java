package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_NOWARN;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.CompoundHead;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.testing.Seeded;

/**
 * A seeded stateful test: 10,000 random steps of allocation (orders 0..10, with and without
 * {@code __GFP_COMP}), frees through every path ({@code put_page} on head or tail,
 * {@code __free_pages}, {@code free_pages(addr)}, {@code release_pages}), extra references,
 * drains and CPU switches, with the buddy invariants checked after every step and the free
 * lists merged back to the boot state at the end.
 */
class BuddyRandomWalkTest {
    private static final int STEPS = 10_000;

    /** One allocation the walk owns: its first page, order, kind and references held. */
    private static final class Block {
        final Page page;
        int order;
        final boolean compound;
        int refs = 1;

        Block(Page page, int order, boolean compound) {
            this.page = page;
            this.order = order;
            this.compound = compound;
        }
    }

    private Machine m;
    private final List<Block> live = new ArrayList<>();
    private int failures;

    @Test
    void tenThousandRandomStepsKeepTheBuddyInvariants() {
        m = Machine.boot();
        int[] boot = freeCounts();
        Seeded.run(0xb0dd1e5L, rnd -> {
            for (int step = 0; step < STEPS; step++) {
                step(rnd);
                try {
                    checkInvariants();
                } catch (AssertionError e) {
                    throw new AssertionError("after step " + step + ": " + e.getMessage(), e);
                }
            }
            while (!live.isEmpty()) {
                freeOne(rnd, live.size() - 1);
            }
        });
        m.alloc.drainAllPages();
        m.cpus.unbind();
        assertThat(freeCounts()).as("free lists merged back to the boot state").containsExactly(boot);
        assertThat(m.badPages.reports()).isEmpty();
        assertThat(m.log.lines()).isEmpty();
        assertThat(failures).as("some allocations had to fail for memory to run out").isPositive();
        assertThat(m.leakedPages()).isZero();
    }

    private void step(SplittableRandom rnd) {
        int action = rnd.nextInt(100);
        long used = 16384 - m.alloc.nrFreePages() - m.alloc.nrPcpPages();
        boolean full = used > 12_000;
        if (live.isEmpty() || (action < 50 && !full)) {
            allocate(rnd);
        } else if (action < 88) {
            freeOne(rnd, rnd.nextInt(live.size()));
        } else if (action < 92) {
            releaseSome(rnd);
        } else if (action < 96) {
            takeExtraReference(rnd);
        } else if (action < 98) {
            if (rnd.nextBoolean()) {
                m.alloc.drainAllPages();
            } else {
                m.alloc.drainLocalPages();
            }
        } else {
            m.cpus.bind(rnd.nextInt(m.cpus.nrCpus()));
        }
    }

    private void allocate(SplittableRandom rnd) {
        int order = rnd.nextInt(4) == 0 ? rnd.nextInt(11) : rnd.nextInt(4);
        boolean compound = order > 0 && rnd.nextBoolean();
        int gfp = GFP_KERNEL | __GFP_NOWARN | (compound ? __GFP_COMP : 0) | (rnd.nextInt(4) == 0 ? __GFP_ZERO : 0);
        Page page = m.alloc.allocPages(gfp, order);
        if (page == null) {
            failures++;
            return;
        }
        live.add(new Block(page, order, compound));
    }

    /** Drops one reference to block {@code i} by a path that suits it. */
    private void freeOne(SplittableRandom rnd, int i) {
        Block b = live.get(i);
        if (b.compound) {
            if (rnd.nextBoolean()) {
                int sub = rnd.nextInt(1 << b.order);
                m.refs.putPage(m.memMap.page((int) b.page.pfn() + sub));
            } else if (b.refs == 1) {
                m.alloc.freePages(b.page, b.order);
            } else {
                m.refs.putPage(b.page);
            }
        } else if (b.order == 0) {
            switch (rnd.nextInt(3)) {
                case 0 -> m.refs.putPage(b.page);
                case 1 -> m.alloc.freePages(b.page, 0);
                default -> m.alloc.freePages(MemMap.pageAddress(b.page), 0);
            }
        } else {
            m.alloc.freePages(b.page, b.order);
            if (b.refs > 1) {
                // __free_pages kept the first page for the other holders and freed the rest.
                b.order = 0;
            }
        }
        if (--b.refs == 0) {
            live.remove(i);
        }
    }

    /** release_pages on a few order-0 or compound blocks (never a non-compound high order). */
    private void releaseSome(SplittableRandom rnd) {
        List<Page> batch = new ArrayList<>();
        List<Block> picked = new ArrayList<>();
        for (int n = rnd.nextInt(1, 6); n > 0 && !live.isEmpty(); n--) {
            Block b = live.get(rnd.nextInt(live.size()));
            if ((b.compound || b.order == 0) && !picked.contains(b)) {
                picked.add(b);
                batch.add(b.compound ? m.memMap.page((int) b.page.pfn() + rnd.nextInt(1 << b.order)) : b.page);
            }
        }
        m.refs.releasePages(batch);
        for (Block b : picked) {
            if (--b.refs == 0) {
                live.remove(b);
            }
        }
    }

    private void takeExtraReference(SplittableRandom rnd) {
        if (live.isEmpty()) {
            return;
        }
        Block b = live.get(rnd.nextInt(live.size()));
        Page target = b.compound ? m.memMap.page((int) b.page.pfn() + rnd.nextInt(1 << b.order)) : b.page;
        if (rnd.nextBoolean()) {
            m.refs.getPage(target);
        } else {
            assertThat(m.refs.tryGetPage(target)).isTrue();
        }
        b.refs++;
        assertThat(m.refs.pageCount(target)).isEqualTo(b.refs);
    }

    private void checkInvariants() {
        BitSet free = BuddyInvariants.check(m.alloc, m.types);
        BitSet allocated = new BitSet(m.memMap.nrPages());
        for (Block b : live) {
            int pfn = (int) b.page.pfn();
            int size = 1 << b.order;
            if (allocated.nextSetBit(pfn) >= 0 && allocated.nextSetBit(pfn) < pfn + size) {
                throw new AssertionError(b.page + " handed out twice");
            }
            allocated.set(pfn, pfn + size);
            if (b.page.refcount() != b.refs) {
                throw new AssertionError(b.page + " refcount " + b.page.refcount() + ", expected " + b.refs);
            }
            if (b.compound) {
                checkCompound(b);
            }
        }
        if (allocated.intersects(free)) {
            BitSet both = (BitSet) allocated.clone();
            both.and(free);
            throw new AssertionError("allocated pages on a free list: pfn 0x"
                    + Integer.toHexString(both.nextSetBit(0)));
        }
        if (free.cardinality() + allocated.cardinality() != m.memMap.nrPages()) {
            throw new AssertionError("free " + free.cardinality() + " + allocated " + allocated.cardinality()
                    + " != " + m.memMap.nrPages() + " pages");
        }
    }

    private void checkCompound(Block b) {
        if (CompoundHead.compoundOrder(m.memMap, b.page) != b.order) {
            throw new AssertionError(b.page + " compound_order " + CompoundHead.compoundOrder(m.memMap, b.page));
        }
        for (int i = 1; i < (1 << b.order); i++) {
            Page tail = m.memMap.page((int) b.page.pfn() + i);
            if (!CompoundHead.isTail(tail) || CompoundHead.compoundHead(m.memMap, tail) != b.page
                    || tail.refcount() != 0) {
                throw new AssertionError(tail + " is not a clean tail of " + b.page);
            }
        }
    }

    private int[] freeCounts() {
        int[] counts = new int[Zone.MAX_ORDER];
        for (int o = 0; o < Zone.MAX_ORDER; o++) {
            counts[o] = m.alloc.zone().nrFree(o);
        }
        return counts;
    }
}
