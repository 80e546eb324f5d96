package org.mmemu.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Machine;
import org.mmemu.core.page.Page;

class ConsistencyChecksTest {
    @Test
    void mmCoreBindsTheRcuBuddyLeakAndPoisonChecks() {
        Machine m = Machine.boot();
        ConsistencyChecks checks = m.injector.getInstance(ConsistencyChecks.class);

        assertThat(checks.checks()).extracting(ConsistencyCheck::name)
                .containsExactly("rcu", "buddy", "page leak", "file leak", "page poison");
        assertThat(checks.run()).isEmpty();
    }

    @Test
    void runsAnUpperModulesChecksAfterMmCoresAndPrefixesTheirNames() {
        ConsistencyCheck charges = check("charges", List.of("memcg /job still charged 4096 bytes"));
        Machine m = Machine.boot(binder -> ConsistencyChecks.consistencyChecks(binder).add(charges));
        Page page = m.alloc.allocPage(GFP_KERNEL);

        List<String> violations = m.injector.getInstance(ConsistencyChecks.class).run();

        assertThat(violations).hasSize(3);
        assertThat(violations.get(0)).startsWith("page leak: 1 page(s)");
        assertThat(violations.get(1)).startsWith("page leak: pfn 0x" + Long.toHexString(page.pfn()));
        assertThat(violations.get(2)).isEqualTo("charges: memcg /job still charged 4096 bytes");
        m.alloc.freePage(page);
    }

    @Test
    void aCheckThatThrowsIsReportedAndTheOthersStillRun() {
        ConsistencyCheck broken = new ConsistencyCheck() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public List<String> check() {
                throw new IllegalStateException("list corrupted");
            }
        };
        ConsistencyCheck after = check("after", List.of("ran"));
        Machine m = Machine.boot(binder -> ConsistencyChecks.consistencyChecks(binder).add(broken).add(after));

        assertThat(m.injector.getInstance(ConsistencyChecks.class).run()).containsExactly(
                "broken: the check itself failed: java.lang.IllegalStateException: list corrupted",
                "after: ran");
    }

    private static ConsistencyCheck check(String name, List<String> violations) {
        return new ConsistencyCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> check() {
                return violations;
            }
        };
    }
}
