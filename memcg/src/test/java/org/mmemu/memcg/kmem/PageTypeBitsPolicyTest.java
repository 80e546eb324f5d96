package org.mmemu.memcg.kmem;

import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/** The page-type contract again under 4.18's bit encoding: PageKmemcg is the cleared bit 0x200. */
class PageTypeBitsPolicyTest extends PageTypePolicyTest {
    @Override
    MemcgMachine boot() {
        return TestEra.V4_18.boot();
    }

    @Override
    int expectedKmemcgWord() {
        return 0xfffffdff;
    }
}
