package org.mmemu.core.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StaticKeyTest {

    @Test
    void isOnWhileIncrementedMoreThanDecremented() {
        StaticKey key = new StaticKey("memcg_kmem_enabled_key");
        assertThat(key.isEnabled()).isFalse();
        key.inc();
        key.inc();
        assertThat(key.isEnabled()).isTrue();
        key.dec();
        assertThat(key.isEnabled()).as("one user left").isTrue();
        assertThat(key).hasToString("memcg_kmem_enabled_key=on");
        key.dec();
        assertThat(key.isEnabled()).isFalse();
        assertThat(key).hasToString("memcg_kmem_enabled_key=off");
        assertThat(key.name()).isEqualTo("memcg_kmem_enabled_key");
    }

    @Test
    void decrementingBelowZeroIsRefusedAndLeavesTheKeyUsable() {
        StaticKey key = new StaticKey("k");
        assertThatThrownBy(key::dec).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("static key k decremented below zero");
        assertThat(key.isEnabled()).isFalse();
        key.inc();
        assertThat(key.isEnabled()).as("the count was restored to 0, so one inc turns it on").isTrue();
        key.dec();
        assertThat(key.isEnabled()).isFalse();
    }
}
