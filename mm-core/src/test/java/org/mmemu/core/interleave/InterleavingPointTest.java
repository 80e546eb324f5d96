package org.mmemu.core.interleave;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterleavingPointTest {
    private static final InterleavingPoint FIRST = InterleavingPoint.declare("test:point:first");
    private static final InterleavingPoint SECOND = InterleavingPoint.declare("test:point:second");

    private final List<String> heard = new ArrayList<>();

    @AfterEach
    void stopListening() {
        Interleavings.unlisten();
    }

    @Test
    void aDisarmedPointDoesNotCallTheListener() {
        Interleavings.listen(p -> heard.add(p.name()));

        FIRST.reach();

        assertThat(heard).isEmpty();
    }

    @Test
    void anArmedPointCallsTheReachingThreadsListenerUntilDisarmed() {
        Interleavings.listen(p -> heard.add(p.name()));
        Interleavings.arm(List.of(FIRST));
        try {
            FIRST.reach();
            SECOND.reach();
        } finally {
            Interleavings.disarm(List.of(FIRST));
        }
        FIRST.reach();

        assertThat(heard).containsExactly("test:point:first");
    }

    @Test
    void aThreadWithoutAListenerPassesAnArmedPoint() throws InterruptedException {
        Interleavings.listen(p -> heard.add(Thread.currentThread().getName()));
        Interleavings.arm(List.of(FIRST));
        try {
            Thread other = new Thread(FIRST::reach, "unarmed");
            other.start();
            other.join();
            FIRST.reach();
        } finally {
            Interleavings.disarm(List.of(FIRST));
        }

        assertThat(heard).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void armAllArmsEveryPointAndThoseDeclaredLater() {
        Interleavings.listen(p -> heard.add(p.name()));
        Interleavings.armAll();
        try {
            InterleavingPoint later = InterleavingPoint.declare("test:point:declared-while-armed");
            SECOND.reach();
            later.reach();
        } finally {
            Interleavings.disarmAll();
        }
        SECOND.reach();

        assertThat(heard).containsExactly("test:point:second", "test:point:declared-while-armed");
    }

    @Test
    void aNameIsDeclaredOnce() {
        assertThatThrownBy(() -> InterleavingPoint.declare("test:point:first"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("interleaving point test:point:first is declared twice");
    }

    @Test
    void aThreadListensOnceAtATime() {
        Interleavings.listen(p -> { });

        assertThatThrownBy(() -> Interleavings.listen(p -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already listens");
    }

    @Test
    void disarmingAPointNotArmedFailsAndChangesNothing() {
        Interleavings.listen(p -> heard.add(p.name()));
        Interleavings.arm(List.of(FIRST));
        try {
            assertThatThrownBy(() -> Interleavings.disarm(List.of(FIRST, SECOND)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("interleaving point test:point:second is disarmed more often than armed");
            FIRST.reach();
        } finally {
            Interleavings.disarm(List.of(FIRST));
        }

        assertThat(heard).containsExactly("test:point:first");
    }

    @Test
    void disarmAllWithoutArmAllFails() {
        assertThatThrownBy(Interleavings::disarmAll).isInstanceOf(IllegalStateException.class);
    }
}
