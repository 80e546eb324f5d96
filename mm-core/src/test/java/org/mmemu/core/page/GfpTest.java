package org.mmemu.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_CONSTRAINT_MASK;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;
import static org.mmemu.core.page.Gfp.GFP_KERNEL_ACCOUNT;
import static org.mmemu.core.page.Gfp.GFP_RECLAIM_MASK;
import static org.mmemu.core.page.Gfp.GFP_USER;
import static org.mmemu.core.page.Gfp.__GFP_ACCOUNT;
import static org.mmemu.core.page.Gfp.__GFP_COMP;
import static org.mmemu.core.page.Gfp.__GFP_ZERO;

import org.junit.jupiter.api.Test;

class GfpTest {
    @Test
    void theSlabMasksKeepHowHardAndWhereButNotWhatTheCallerWanted() {
        int gfp = GFP_USER | __GFP_ACCOUNT | __GFP_ZERO | __GFP_COMP;
        assertThat(gfp & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK)).isEqualTo(GFP_USER);
        assertThat(GFP_KERNEL_ACCOUNT & GFP_RECLAIM_MASK).isEqualTo(GFP_KERNEL);
    }

    @Test
    void theMasksHaveTheKernelValues() {
        // 5.11: mm/internal.h's masks over include/linux/gfp.h's bits.
        assertThat(GFP_RECLAIM_MASK).isEqualTo(0xbeee0);
        assertThat(GFP_CONSTRAINT_MASK).isEqualTo(0x300000);
        assertThat(GFP_RECLAIM_MASK & GFP_CONSTRAINT_MASK).isZero();
    }

    @Test
    void in4xTheReclaimMaskIsTheSameFlagsRenumbered() {
        // 4.8: __GFP_RECLAIM|HIGH|IO|FS|NOWARN|REPEAT|NOFAIL|NORETRY|MEMALLOC|NOMEMALLOC|ATOMIC
        assertThat(GfpLayout.V4_8.toEraValue(GFP_RECLAIM_MASK)).isEqualTo(0x24000e0 | 0x200 | 0x400
                | 0x800 | 0x1000 | 0x2000 | 0x10000 | 0x80000);
    }
}
