package org.mmemu.memcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mmemu.core.page.Gfp.GFP_KERNEL;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mmemu.core.Errno;
import org.mmemu.core.ErrnoException;
import org.mmemu.core.testing.Seeded;
import org.mmemu.memcg.stat.MemcgStatItem;

class ObjCgroupsTest {
    private static final int PAGE = 4096;

    private final MemcgMachine m = MemcgMachine.boot();
    private final MemCgroup job = m.cgroups.mkdir("/job");

    @AfterEach
    void noLeaks() {
        if (job.isOnline()) {
            m.cgroups.rmdir(job);
        }
        m.assertNoLeaks();
        assertThat(m.tree.root().nrDyingDescendants()).isZero();
    }

    @Test
    void eachOnlineCgroupButTheRootHasAnObjcgAtAnAlignedAddress() {
        assertThat(m.tree.root().objcg()).isNull();
        ObjCgroup objcg = job.objcg();
        assertThat(objcg.memcg()).isSameAs(job);
        assertThat(objcg.address() & 63).isZero();
        assertThat(m.data.objcgAt(objcg.address())).isSameAs(objcg);
        assertThat(m.objcgs.objcgOf(job)).isSameAs(objcg);
        assertThat(m.objcgs.objcgOf(m.tree.root())).isNull();
    }

    @Test
    void aSmallChargeTakesAPageAndKeepsTheRestInTheByteStock() {
        ObjCgroup objcg = job.objcg();
        assertThat(m.objcgs.charge(objcg, GFP_KERNEL, 100)).isZero();
        assertThat(m.charged(job)).isEqualTo(1);
        assertThat(m.stock.stockedBytes(0)).isEqualTo(PAGE - 100);
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isEqualTo(1);

        assertThat(m.objcgs.charge(objcg, GFP_KERNEL, 200)).isZero();
        assertThat(m.charged(job)).as("served from the byte stock").isEqualTo(1);
        assertThat(m.stock.stockedBytes(0)).isEqualTo(PAGE - 300);

        m.objcgs.uncharge(objcg, 100);
        m.objcgs.uncharge(objcg, 200);
        assertThat(m.stock.stockedBytes(0)).isEqualTo(PAGE);
        assertThat(m.charged(job)).as("exactly a page is not more than a page").isEqualTo(1);
    }

    @Test
    void chargesAboveAPageRoundUpAndUnchargesGiveBackWholePages() {
        ObjCgroup objcg = job.objcg();
        m.objcgs.charge(objcg, GFP_KERNEL, 5000);
        assertThat(m.charged(job)).isEqualTo(2);
        assertThat(m.stock.stockedBytes(0)).isEqualTo(2 * PAGE - 5000);
        m.objcgs.uncharge(objcg, 5000);
        assertThat(m.stock.stockedBytes(0)).isEqualTo(0);
        assertThat(m.charged(job)).isZero();
        assertThat(job.stats().local(MemcgStatItem.MEMCG_KMEM)).isZero();
    }

    @Test
    void switchingObjcgFlushesTheRestIntoNrChargedBytesAndTheNextStockTakesItBack() {
        MemCgroup other = m.cgroups.mkdir("/other");
        ObjCgroup a = job.objcg();
        ObjCgroup b = other.objcg();
        m.objcgs.charge(a, GFP_KERNEL, 100);
        m.objcgs.charge(b, GFP_KERNEL, 100);
        assertThat(a.chargedBytes()).isEqualTo(PAGE - 100);
        m.objcgs.uncharge(a, 100);
        assertThat(a.chargedBytes()).as("taken into this CPU's stock").isZero();
        assertThat(m.stock.stockedBytes(0)).isEqualTo(PAGE);
        m.objcgs.uncharge(b, 100);
        assertThat(a.chargedBytes()).isZero();
        assertThat(m.charged(job)).as("the page-sized rest was uncharged when b took the stock").isZero();
        m.stock.drainAll(m.tree.root());
        assertThat(b.chargedBytes()).as("b's whole page went back too").isZero();
        assertThat(m.charged(other)).isZero();
        m.cgroups.rmdir(other);
    }

    @Test
    void aChargeOverTheLimitFails() {
        job.memory().exchangeMax(1);
        ObjCgroup objcg = job.objcg();
        assertThat(m.objcgs.charge(objcg, GFP_KERNEL, 3000)).isZero();
        assertThat(m.objcgs.charge(objcg, GFP_KERNEL | org.mmemu.core.page.Gfp.__GFP_RETRY_MAYFAIL, 3000))
                .isEqualTo(Errno.ENOMEM.negative());
        m.objcgs.uncharge(objcg, 3000);
    }

    @Test
    void bytesChargedBeforeRmdirAreUnchargedFromTheParentAndTheObjcgIsReleasedLast() {
        MemCgroup child = m.cgroups.mkdir(job, "child");
        ObjCgroup objcg = child.objcg();
        m.objcgs.charge(objcg, GFP_KERNEL, 700);
        objcg.get();    // the charged object's reference, as the slab hook takes it
        m.cgroups.rmdir(child);
        assertThat(child.state()).isEqualTo(MemCgroup.State.RELEASED);
        assertThat(objcg.isKilled()).isTrue();
        assertThat(objcg.memcg()).isSameAs(job);
        assertThat(m.objects.isLive(objcg.address())).as("the object holds it").isTrue();
        assertThat(objcg.chargedBytes()).as("rmdir's drain flushed the rest").isEqualTo(PAGE - 700);
        m.objcgs.uncharge(objcg, 700);
        objcg.put();
        m.stock.drainAll(m.tree.root());
        assertThat(m.charged(job)).isZero();
        assertThat(m.log.contains("not page aligned")).isFalse();
        assertThat(m.objects.isLive(objcg.address())).isFalse();
    }

    @Test
    void releaseUnchargesWholePagesLeftInNrChargedBytesAndWarnsAboutARest() {
        MemCgroup child = m.cgroups.mkdir(job, "child");
        ObjCgroup objcg = child.objcg();
        objcg.get();
        m.charger.kmemCharge(child, GFP_KERNEL, 1);
        objcg.nrChargedBytes().set(PAGE + 8);
        m.cgroups.rmdir(child);
        objcg.put();
        assertThat(m.log.contains("nr_charged_bytes " + (PAGE + 8) + " is not page aligned")).isTrue();
        assertThat(m.charged(job)).isZero();
    }

    @Test
    void concurrentObjectChargesBalanceToTheByte() {
        Seeded.run(0x0b1cL, rnd -> {
            List<MemCgroup> groups = List.of(m.cgroups.mkdir(job, "a"), m.cgroups.mkdir(job, "b"));
            long[][] held = new long[3][groups.size()];
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            for (int th = 0; th < 3; th++) {
                int cpu = th;
                SplittableRandom mine = rnd.split();
                threads.add(new Thread(() -> {
                    try {
                        m.cpus.bind(cpu);
                        for (int i = 0; i < 3000; i++) {
                            int g = mine.nextInt(groups.size());
                            ObjCgroup objcg = groups.get(g).objcg();
                            int size = 8 + mine.nextInt(mine.nextInt(10) == 0 ? 9000 : 512);
                            if (mine.nextBoolean()) {
                                if (m.objcgs.charge(objcg, GFP_KERNEL, size) == 0) {
                                    held[cpu][g] += size;
                                }
                            } else if (held[cpu][g] >= size) {
                                m.objcgs.uncharge(objcg, size);
                                held[cpu][g] -= size;
                            }
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    } finally {
                        m.cpus.unbind();
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            assertThat(errors).isEmpty();
            m.stock.drainAll(m.tree.root());
            for (int g = 0; g < groups.size(); g++) {
                MemCgroup group = groups.get(g);
                long bytes = held[0][g] + held[1][g] + held[2][g];
                assertThat(group.memory().read() * PAGE)
                        .as("charged pages of %s cover the held bytes and the flushed rest", group)
                        .isEqualTo(bytes + group.objcg().chargedBytes());
                assertThat(group.stats().local(MemcgStatItem.MEMCG_KMEM)).isEqualTo(group.memory().read());
                for (int th = 0; th < 3; th++) {
                    if (held[th][g] > 0) {
                        m.objcgs.uncharge(group.objcg(), (int) held[th][g]);
                    }
                }
            }
            for (MemCgroup g : groups) {
                m.cgroups.rmdir(g);
            }
        });
    }
    @Test
    void aParentRemovedWhileItsChildIsBeingRemovedStillEndsWithTheChildsObjcg() throws Exception {
        for (int round = 0; round < 300; round++) {
            MemCgroup p = m.cgroups.mkdir("/p");
            assertThat(m.tree.setSubtreeMemory(p, true)).isZero();
            MemCgroup c = m.cgroups.mkdir(p, "c");
            ObjCgroup objcg = c.objcg();
            objcg.get();   // kept alive, to see where it ends up
            Thread child = new Thread(() -> m.cgroups.rmdir(c));
            Thread parent = new Thread(() -> {
                while (true) {
                    try {
                        m.cgroups.rmdir(p);
                        return;
                    } catch (ErrnoException e) {
                        assertThat(e.errno()).isEqualTo(Errno.EBUSY);
                        Thread.onSpinWait();
                    }
                }
            });
            child.start();
            parent.start();
            child.join();
            parent.join();
            assertThat(objcg.memcg()).as("round %d: reparented past both", round).isSameAs(m.tree.root());
            assertThat(m.objcgs.reparentedTo(m.tree.root())).contains(objcg);
            objcg.put();
            assertThat(m.objects.isLive(objcg.address())).isFalse();
        }
    }
}
