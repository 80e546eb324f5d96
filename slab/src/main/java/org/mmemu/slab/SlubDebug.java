package org.mmemu.slab;

import com.google.inject.Inject;
import java.util.Locale;
import org.mmemu.core.page.MapcountWord;
import org.mmemu.core.page.MemMap;
import org.mmemu.core.page.Page;
import org.mmemu.core.printk.KernelLog;
import org.mmemu.core.sched.Cpu;
import org.mmemu.core.sched.Cpus;

/**
 * SLUB's debug checks and their reports in the kernel log (mm/slub.c {@code slab_bug},
 * {@code slab_err}, {@code object_err}, {@code slab_fix}, {@code print_page_info},
 * {@code check_valid_pointer}, {@code on_freelist}, {@code free_consistency_checks}, and
 * mm/slab.h's {@code cache_from_obj} warnings), worded as 5.10's tree words them. Pointers are
 * printed as they are (the kernel hashes {@code %p} unless booted with {@code no_hash_pointers}),
 * and the stack dumps and object hex dumps are left out.
 */
final class SlubDebug {
    private static final String RULE = "=============================================================================";
    private static final String DASHES = "-----------------------------------------------------------------------------";
    /** print_tainted's letters, taint flag by flag (kernel/panic.c {@code taint_flags}). */
    private static final String TAINT_LETTERS = "PFSRMBUDAWCIOELKXT";

    private final KernelLog log;
    private final Cpus cpus;
    private final SlabPages pages;
    private final SlubTexts texts;

    @Inject
    SlubDebug(KernelLog log, Cpus cpus, SlabPages pages, SlubTexts texts) {
        this.texts = texts;
        this.log = log;
        this.cpus = cpus;
        this.pages = pages;
    }

    /**
     * {@code free_consistency_checks} (under the node's lock): true if {@code object} may be
     * freed to {@code slab}; else the problem is reported, with {@code slab_fix}'s "not freed".
     */
    boolean freeDebugProcessing(KmemCache s, Page slab, long object) {
        if (!checkValidPointer(s, slab, object)) {
            slabErr(s, slab, String.format(Locale.ROOT, "Invalid object pointer 0x%016x", object));
        } else if (onFreelist(s, slab, object)) {
            objectErr(s, slab, object, "Object already free");
        } else {
            return true;
        }
        slabFix(s, String.format(Locale.ROOT, "Object at 0x%016x not freed", object));
        return false;
    }

    /** {@code check_valid_pointer}: 0 or an object's start inside the slab. */
    static boolean checkValidPointer(KmemCache s, Page slab, long object) {
        if (object == 0) {
            return true;
        }
        long offset = object - MemMap.pageAddress(slab);
        return offset >= 0 && offset < (long) s.objects() * s.size() && offset % s.size() == 0;
    }

    /** {@code on_freelist}: whether {@code search} is on the slab's free list (bounded walk). */
    private boolean onFreelist(KmemCache s, Page slab, long search) {
        long fp = SlabPages.freelist(slab);
        for (int nr = 0; fp != 0 && nr <= s.objects(); nr++) {
            if (fp == search) {
                return true;
            }
            if (!checkValidPointer(s, slab, fp)) {
                break;
            }
            fp = pages.getFreepointer(s, fp);
        }
        return false;
    }

    /** {@code list_slab_objects}' line for an object of {@code slab} still allocated. */
    void remainingObject(Page slab, long object) {
        log.printk(texts.remainingObject(object, object - MemMap.pageAddress(slab)));
    }

    /** {@code kmem_cache_destroy}'s report of a cache that keeps objects. */
    void stillHasObjects(KmemCache s) {
        if (texts.destroyWarns()) {
            warn("kmem_cache_destroy", texts.stillHasObjects(s.name()), "mm/slab_common.c:532");
        } else {
            log.printk(texts.stillHasObjects(s.name()));
        }
    }

    /** {@code virt_to_cache}'s warning for an object whose page is no slab. */
    void notASlabPage(String caller) {
        warn(caller, "virt_to_cache: Object is not a Slab page!", "mm/slab.h:438");
    }

    /** {@code cache_from_obj}'s warning for an object freed to another cache than its own. */
    void wrongCache(String caller, KmemCache s, KmemCache owner) {
        warn(caller, "cache_from_obj: Wrong slab cache. " + s.name() + " but object is from " + owner.name(),
                "mm/slab.h:470");
    }

    /** {@code slab_err}: the BUG banner and the slab's page info. */
    void slabErr(KmemCache s, Page slab, String text) {
        slabBug(s, text);
        printPageInfo(slab);
    }

    /** {@code object_err}: the BUG banner and {@code print_trailer}'s object line. */
    private void objectErr(KmemCache s, Page slab, long object, String reason) {
        slabBug(s, reason);
        printPageInfo(slab);
        log.printk(texts.objectInfo(object, object - MemMap.pageAddress(slab), pages.getFreepointer(s, object)));
    }

    /** {@code slab_fix}. */
    private void slabFix(KmemCache s, String text) {
        log.printk("FIX " + s.name() + ": " + text);
    }

    private void slabBug(KmemCache s, String text) {
        log.printk(RULE);
        log.printk("BUG " + s.name() + " (" + printTainted() + "): " + text);
        log.printk(DASHES + "\n");
        log.addTaint(KernelLog.TAINT_BAD_PAGE);
    }

    private void printPageInfo(Page slab) {
        int counters = pages.counters(slab);
        log.printk(texts.slabInfo(MemMap.structPageAddress(slab), MapcountWord.slubObjects(counters),
                MapcountWord.slubInuse(counters), SlabPages.freelist(slab), slab.pageFlags()));
    }

    /** {@code print_tainted}: "Not tainted", or one letter (or blank) per taint flag. */
    private String printTainted() {
        StringBuilder sb = new StringBuilder("Tainted: ");
        boolean any = false;
        for (int flag = 0; flag < TAINT_LETTERS.length(); flag++) {
            boolean set = log.isTainted(flag);
            any |= set;
            sb.append(set ? TAINT_LETTERS.charAt(flag) : flag == 0 ? 'G' : ' ');
        }
        return any ? sb.toString() : "Not tainted";
    }

    private void warn(String caller, String message, String where) {
        Cpu cpu = cpus.current();
        log.printk(message);
        log.printk(String.format(Locale.ROOT, "WARNING: CPU: %d PID: %d at %s %s",
                cpu.id(), cpu.current().pid(), where, caller));
        log.addTaint(KernelLog.TAINT_WARN);
    }
}
