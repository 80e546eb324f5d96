package org.mmemu.memcg;

import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import com.google.inject.Inject;
import com.google.inject.Module;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.mmemu.core.MachineScoped;
import org.mmemu.core.alloc.PageAllocator;
import org.mmemu.core.check.ConsistencyChecks;
import org.mmemu.core.check.PageOwner;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;

/**
 * A stand-in for the slab module in memcg's tests: order-0 slab pages of fixed-size objects,
 * addressed in the direct map; the {@link ChargeOwner} that declares the byte charges of the
 * objects whose vector slots are set, and the {@link PageOwner} of its slab pages and of their
 * vectors' (single) pages, as the slab module will, walking its own slabs.
 */
final class FakeSlab implements ChargeOwner, PageOwner {
    /** Binds the fake and registers it with the charge check. */
    static final Module MODULE = binder -> {
        binder.bind(FakeSlab.class).in(MachineScoped.class);
        MemcgModule.chargeOwners(binder).addBinding().to(FakeSlab.class);
        ConsistencyChecks.pageOwners(binder).add(FakeSlab.class);
    };

    /** Vector memory that is never there: every {@code kcalloc} fails. */
    static final ObjCgroupVectorMemory NO_MEMORY = new ObjCgroupVectorMemory() {
        @Override
        public long kcalloc(int size, int gfp) {
            return 0;
        }

        @Override
        public void kfree(long address, int size) {
            throw new AssertionError("nothing was allocated");
        }
    };

    /** A cache of {@code size}-byte objects ({@code s->size}). */
    record Cache(int size, boolean accounted, boolean reclaimable) implements MemcgSlabCache {
        @Override
        public int objects(Page page) {
            return MemMap.PAGE_SIZE / size;
        }

        @Override
        public int objToIndex(Page page, long address) {
            return (int) ((address - MemMap.pageAddress(page)) / size);
        }

        /** The address of object {@code index} of {@code page}. */
        long object(Page page, int index) {
            return MemMap.pageAddress(page) + (long) index * size;
        }
    }

    private record Slab(Page page, Cache cache) {
    }

    private final PageAllocator allocator;
    private final MemMap memMap;
    private final ObjCgroupVectors vectors;
    private final MemcgSlabHooks hooks;
    private final List<Slab> slabs = new ArrayList<>();

    @Inject
    FakeSlab(PageAllocator allocator, ObjCgroupVectors vectors, MemcgSlabHooks hooks) {
        this.allocator = allocator;
        this.memMap = allocator.memMap();
        this.vectors = vectors;
        this.hooks = hooks;
    }

    /** A new slab page of {@code cache}, allocated as SLUB does: without __GFP_ACCOUNT. */
    Page newSlab(Cache cache) {
        Page page = allocator.allocPages(GFP_KERNEL, 0);
        slabs.add(new Slab(page, cache));
        return page;
    }

    /** {@code __free_slab}: the vector goes with the page. */
    void freeSlab(Page page) {
        hooks.freeSlabPage(page);
        slabs.removeIf(s -> s.page() == page);
        allocator.freePages(page, 0);
    }

    @Override
    public void markOwned(BitSet owned) {
        for (Slab s : slabs) {
            owned.set((int) s.page().pfn());
            ObjCgroupVector vector = vectors.pageObjCgroups(s.page());
            if (vector != null) {
                owned.set((int) memMap.virtToPage(vector.backing()).pfn());
            }
        }
    }

    @Override
    public void declareCharges(Charges charges) {
        for (Slab s : slabs) {
            ObjCgroupVector vector = vectors.pageObjCgroups(s.page());
            for (int i = 0; vector != null && i < vector.objects(); i++) {
                if (vector.get(i) != null) {
                    charges.objcgBytes(vector.get(i), s.cache().objFullSize());
                }
            }
        }
    }
}
