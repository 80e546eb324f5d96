package org.mmemu.slab;

import org.mmemu.core.page.Page;
import org.mmemu.memcg.MemCgroup;
import org.mmemu.memcg.MemcgData;

/**
 * How {@code mem_cgroup_from_obj} reads the page's memcg word, one policy per kernel
 * (mm/memcontrol.c of 5.9.1, 5.10.7 and 5.11). The word of a slab page can change once, from 0 to
 * its obj_cgroup vector (tagged in bit 0), while the function runs on another CPU; each reader
 * passes {@link MemCgroupFromObj#BETWEEN_READS} after its first read, so a test can attach a
 * vector exactly there.
 *
 * <pre>
 *  name                 first read                         second read
 *  fromobj.Racy59       a vector? its slot's owner         else the word again, as a mem_cgroup
 *  fromobj.NullFirst510 0? NULL (an unaccounted object)    as 5.9: the word is a memcg or a vector, for good
 *  fromobj.Checked511   page_objcgs_check: the slot's      page_memcg_check: NULL for a vector
 *                       owner
 * </pre>
 */
public interface MemcgFromObjReader {
    /** The dotted policy name. */
    String policyName();

    /** The memcg owning the object at {@code p} on head page {@code page}, or null. */
    MemCgroup read(MemCgroupFromObj from, Page page, long p);

    /** The kernels' readers. */
    enum Eras implements MemcgFromObjReader {
        /** 5.9: tests bit 0, then reads the word again and returns it as the mem_cgroup. */
        RACY_5_9("fromobj.Racy59") {
            @Override
            public MemCgroup read(MemCgroupFromObj from, Page page, long p) {
                long data = page.memcgData();
                if ((data & MemcgData.MEMCG_DATA_OBJCGS) != 0) {
                    return from.slabOwner(page, data & ~MemcgData.MEMCG_DATA_OBJCGS, p);
                }
                MemCgroupFromObj.BETWEEN_READS.reach();
                return from.memcgAt(page.memcgData());
            }
        },
        /** 5.10 (19b629c9795b): NULL first; a non-NULL word never changes kind again. */
        NULL_FIRST_5_10("fromobj.NullFirst510") {
            @Override
            public MemCgroup read(MemCgroupFromObj from, Page page, long p) {
                long data = page.memcgData();
                MemCgroupFromObj.BETWEEN_READS.reach();
                if (data == 0) {
                    return null;
                }
                return RACY_5_9.read(from, page, p);
            }
        },
        /** 5.11 on: the checked helpers, each one READ_ONCE. */
        CHECKED_5_11("fromobj.Checked511") {
            @Override
            public MemCgroup read(MemCgroupFromObj from, Page page, long p) {
                long vector = from.data().pageObjcgsCheck(page);
                if (vector != 0) {
                    return from.slabOwner(page, vector, p);
                }
                MemCgroupFromObj.BETWEEN_READS.reach();
                return from.data().pageMemcgCheck(page);
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
