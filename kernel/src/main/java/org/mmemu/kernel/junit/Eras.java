package org.mmemu.kernel.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mmemu.kernel.Arch;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.KernelConfig;

/**
 * Runs the annotated test method once per era (and per architecture, when {@link #arches()}
 * names several), each time with a fresh {@code Kernel} of that era passed as a parameter (to
 * {@code @BeforeEach} and {@code @AfterEach} methods too; a parameter of type {@link Arch} gets
 * the run's architecture), and closes the kernel after the test: its exits and consistency checks
 * fail that era's run (unless the test already failed, which keeps its own failure). Each run is
 * named by its era, and by its architecture when that is not the generic one.
 *
 * <pre>
 *  &#64;Eras({Era.V4_8, Era.LATEST})       // these eras
 *  &#64;Eras                               // every era
 *  &#64;Eras(from = Era.V5_9)              // 5.9 and every later one
 *  &#64;Eras(arches = {GENERIC, S390})     // every era, with each page-table binding
 *  void pipeBuffersAreCharged(Kernel k) { ... }
 * </pre>
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(EraInvocations.class)
public @interface Eras {
    /** The eras to run in; empty (the default) for every era from {@link #from()}. */
    Era[] value() default {};

    /** The first era to run in, when {@link #value()} is empty: this one and every later one. */
    Era from() default Era.V4_7;

    /** Each kernel's memory, as {@link KernelConfig#memory(String)} takes it. */
    String memory() default KernelConfig.DEFAULT_MEMORY;

    /** Each kernel's emulated CPUs, as {@link KernelConfig#cpus(int)} takes them. */
    int cpus() default KernelConfig.DEFAULT_CPUS;

    /** The architectures whose page tables each era runs with, as {@link KernelConfig#arch} takes them. */
    Arch[] arches() default Arch.GENERIC;
}
