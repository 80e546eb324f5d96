package org.mmemu.memcg.kmem;

import org.mmemu.memcg.MemcgMachine;
import org.mmemu.memcg.TestEra;

/** The page-type contract under 5.10: the same bit, 5.10's charge path, typed pages unmappable. */
class PageTypeBits510PolicyTest extends PageTypePolicyTest {
    @Override
    MemcgMachine boot() {
        return TestEra.V5_10.boot();
    }

    @Override
    int expectedKmemcgWord() {
        return 0xfffffdff;
    }
}
