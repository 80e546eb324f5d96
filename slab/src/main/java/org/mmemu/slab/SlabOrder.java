package org.mmemu.slab;

import org.mmemu.core.alloc.Zone;
import org.mmemu.core.page.MemMap;

/**
 * {@code calculate_order} (mm/slub.c): the page order of a cache's slabs, from the object size
 * and the number of CPUs. Both variants want {@code 4 * (fls(nr_cpus) + 1)} objects per slab,
 * a slab of at most {@code slub_max_order} (3, {@code PAGE_ALLOC_COSTLY_ORDER}) and at most
 * 1/16 of it wasted, backing off gradually:
 *
 * <pre>
 *  policy               eras       backing off
 *  -------------------  ---------  -----------------------------------------------------------
 *  slaborder.Classic    4.7-6.7    waste 1/16, 1/8, 1/4, then one object fewer, down to one;
 *                                  then any waste with one object
 *  slaborder.MinOrder68 6.8+       the order min_objects needs at once, waste 1/16 ... 1/2;
 *                                  then get_order(size)
 * </pre>
 */
public interface SlabOrder {
    /** {@code slub_max_order}: {@code PAGE_ALLOC_COSTLY_ORDER}. */
    int SLUB_MAX_ORDER = 3;
    /** {@code MAX_OBJS_PER_PAGE}: what the 15-bit {@code objects} field holds. */
    int MAX_OBJS_PER_PAGE = 32767;

    /** The name the era table selects. */
    String policyName();

    /** {@code calculate_order(size)} on a machine of {@code nrCpus} CPUs; -1 if none fits. */
    int calculateOrder(int size, int nrCpus);

    /** {@code order_objects}: how many objects of {@code size} a slab of {@code order} holds. */
    static int orderObjects(int order, int size) {
        return (MemMap.PAGE_SIZE << order) / size;
    }

    /** {@code get_order}: the smallest order whose block holds {@code size} bytes. */
    static int getOrder(long size) {
        int order = 0;
        while ((long) MemMap.PAGE_SIZE << order < size) {
            order++;
        }
        return order;
    }

    /** {@code 4 * (fls(nr_cpus) + 1)}, capped by what a slab of {@code slub_max_order} holds. */
    static int minObjects(int size, int nrCpus) {
        int fls = 32 - Integer.numberOfLeadingZeros(nrCpus);
        return Math.min(4 * (fls + 1), orderObjects(SLUB_MAX_ORDER, size));
    }

    /**
     * The first order from {@code minOrder} to {@code maxOrder} wasting at most
     * {@code 1/fraction} of the slab ({@code slab_order} / {@code calc_slab_order}); past
     * {@code maxOrder} if none does.
     */
    static int firstFitting(int size, int minOrder, int maxOrder, int fraction) {
        int order = minOrder;
        while (order <= maxOrder) {
            int slabSize = MemMap.PAGE_SIZE << order;
            if (slabSize % size <= slabSize / fraction) {
                break;
            }
            order++;
        }
        return order;
    }

    /** The variants. */
    enum Eras implements SlabOrder {
        /** 4.7 to 6.7. */
        CLASSIC("slaborder.Classic") {
            @Override
            public int calculateOrder(int size, int nrCpus) {
                for (int minObjects = SlabOrder.minObjects(size, nrCpus); minObjects > 1; minObjects--) {
                    for (int fraction = 16; fraction >= 4; fraction /= 2) {
                        int order = slabOrder(size, minObjects, SLUB_MAX_ORDER, fraction);
                        if (order <= SLUB_MAX_ORDER) {
                            return order;
                        }
                    }
                }
                int order = slabOrder(size, 1, SLUB_MAX_ORDER, 1);
                if (order <= SLUB_MAX_ORDER) {
                    return order;
                }
                order = slabOrder(size, 1, Zone.MAX_ORDER, 1);
                return order < Zone.MAX_ORDER ? order : -1;
            }

            private int slabOrder(int size, int minObjects, int maxOrder, int fraction) {
                if (orderObjects(0, size) > MAX_OBJS_PER_PAGE) {
                    return getOrder((long) size * MAX_OBJS_PER_PAGE) - 1;
                }
                return firstFitting(size, getOrder((long) minObjects * size), maxOrder, fraction);
            }
        },
        /** 6.8 on. */
        MIN_ORDER_6_8("slaborder.MinOrder68") {
            @Override
            public int calculateOrder(int size, int nrCpus) {
                int minOrder = getOrder((long) SlabOrder.minObjects(size, nrCpus) * size);
                if (orderObjects(minOrder, size) > MAX_OBJS_PER_PAGE) {
                    return getOrder((long) size * MAX_OBJS_PER_PAGE) - 1;
                }
                for (int fraction = 16; fraction > 1; fraction /= 2) {
                    int order = firstFitting(size, minOrder, SLUB_MAX_ORDER, fraction);
                    if (order <= SLUB_MAX_ORDER) {
                        return order;
                    }
                }
                int order = getOrder(size);
                return order < Zone.MAX_ORDER ? order : -1;
            }
        };

        private final String policyName;

        Eras(String policyName) {
            this.policyName = policyName;
        }

        @Override
        public String policyName() {
            return policyName;
        }
    }
}
