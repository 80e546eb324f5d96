package org.mmemu.core.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mmemu.core.KernelBug;
import org.mmemu.core.page.MemMap;

/** Emulated kernel addresses for Java objects, and KASAN-style reports on misuse. */
class KernelObjectsTest {
    private final KernelObjects objects = new KernelObjects();

    private record MemCgroup(String path) {
    }

    private record ObjCgroup(int id) {
    }

    @Test
    void registeredObjectsGetAlignedAddressesThatResolveBack() {
        List<Long> addrs = new ArrayList<>();
        List<MemCgroup> cgs = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {  // past the first table size
            MemCgroup cg = new MemCgroup("/job" + i);
            cgs.add(cg);
            addrs.add(objects.register(cg));
        }
        assertThat(addrs.get(0)).isEqualTo(MemMap.KOBJ_START);
        for (int i = 0; i < addrs.size(); i++) {
            long a = addrs.get(i);
            assertThat(a % KernelObjects.ALIGN).isZero();
            assertThat(a & 0x3f).as("six low bits free for tags").isZero();
            assertThat(objects.resolve(a, MemCgroup.class)).isSameAs(cgs.get(i));
            assertThat(objects.isLive(a)).isTrue();
        }
        assertThat(addrs).doesNotHaveDuplicates();
        addrs.forEach(objects::free);
        assertThat(addrs).noneMatch(objects::isLive);
    }

    @Test
    void resolvingAFreedAddressIsAUseAfterFree() {
        ObjCgroup objcg = new ObjCgroup(7);
        long a = objects.register(objcg);
        long b = objects.register(new ObjCgroup(8));
        objects.free(a);
        assertThatThrownBy(() -> objects.resolve(a, ObjCgroup.class))
                .isInstanceOf(KernelBug.class)
                .hasMessage(String.format("BUG: KASAN: use-after-free at addr %016x: expected a ObjCgroup,"
                        + " found freed ObjCgroup %s", a, objcg));
        assertThatThrownBy(() -> objects.free(a)).as("double kfree").isInstanceOf(KernelBug.class)
                .hasMessageContaining("use-after-free");
        long c = objects.register(new ObjCgroup(9));
        assertThat(c).as("a quarantined slot is not reused").isNotEqualTo(a);
        objects.free(b);
        objects.free(c);
        assertThat(objects.isLive(b) || objects.isLive(c)).isFalse();
    }

    @Test
    void aFreedAddressStaysPoisonedUntilTheQuarantineReleasesItAndIsThenReused() {
        KernelObjects small = new KernelObjects(2);
        long a = small.register(new ObjCgroup(1));
        long b = small.register(new ObjCgroup(2));
        long c = small.register(new ObjCgroup(3));
        small.free(a);
        small.free(b);
        assertThatThrownBy(() -> small.resolve(a, ObjCgroup.class)).hasMessageContaining("use-after-free");
        long d = small.register(new ObjCgroup(4));
        assertThat(d).as("both freed slots quarantined").isNotIn(a, b);

        small.free(c);
        assertThatThrownBy(() -> small.resolve(a, ObjCgroup.class)).as("released: nothing lives there")
                .isInstanceOf(KernelBug.class).hasMessageContaining("wild-memory-access")
                .hasMessageContaining("no ObjCgroup was allocated there");
        assertThatThrownBy(() -> small.resolve(b, ObjCgroup.class)).hasMessageContaining("use-after-free");
        ObjCgroup reusing = new ObjCgroup(5);
        assertThat(small.register(reusing)).as("the released slot is reused").isEqualTo(a);
        assertThat(small.resolve(a, ObjCgroup.class)).isSameAs(reusing);
        small.free(a);
        small.free(d);
        assertThat(small.isLive(a) || small.isLive(d)).isFalse();
    }

    @Test
    void aTableThatAllocatesAndFreesForeverStaysBounded() {
        int quarantined = 8;
        KernelObjects small = new KernelObjects(quarantined);
        long highestSlot = 0;
        for (int i = 0; i < 10_000; i++) {
            long a = small.register(new ObjCgroup(i));
            highestSlot = Math.max(highestSlot, (a - MemMap.KOBJ_START) / KernelObjects.ALIGN);
            small.free(a);
        }
        // One live object at a time, plus the quarantined ones: slots 0 .. quarantined.
        assertThat(highestSlot).isEqualTo(quarantined);
        assertThatThrownBy(() -> new KernelObjects(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    @Test
    void resolvingAsTheWrongTypeIsTypeConfusion() {
        long a = objects.register(new MemCgroup("/"));
        assertThatThrownBy(() -> objects.resolve(a, ObjCgroup.class))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("BUG: KASAN: type confusion at addr " + Long.toHexString(a))
                .hasMessageContaining("expected a ObjCgroup, found MemCgroup");
        objects.free(a);
        assertThat(objects.isLive(a)).isFalse();
    }

    @Test
    void wildAddressesAreReported() {
        long a = objects.register(new MemCgroup("/"));
        assertThatThrownBy(() -> objects.resolve(a + 64, MemCgroup.class))
                .isInstanceOf(KernelBug.class)
                .hasMessageContaining("wild-memory-access").hasMessageContaining("no MemCgroup was allocated there");
        assertThatThrownBy(() -> objects.resolve(a | 2, MemCgroup.class)).as("tag bits not masked")
                .isInstanceOf(KernelBug.class).hasMessageContaining("not an emulated object address");
        assertThatThrownBy(() -> objects.resolve(MemMap.PAGE_OFFSET, MemCgroup.class))
                .isInstanceOf(KernelBug.class).hasMessageContaining("not an emulated object address");
        assertThatThrownBy(() -> objects.resolve(MemMap.KOBJ_START + (1L << 40), MemCgroup.class))
                .isInstanceOf(KernelBug.class).hasMessageContaining("wild-memory-access");
        assertThat(objects.isLive(a + 64)).isFalse();
        // isLive answers for object addresses only; anything else is itself a wild access.
        assertThatThrownBy(() -> objects.isLive(MemMap.KOBJ_START + (1L << 40))).isInstanceOf(KernelBug.class);
        assertThatThrownBy(() -> objects.isLive(a + 1)).isInstanceOf(KernelBug.class);
        objects.free(a);
        assertThat(objects.isLive(a)).isFalse();
    }
}
