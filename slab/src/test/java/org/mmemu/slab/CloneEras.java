package org.mmemu.slab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.era.KernelRelease;

/** A test run under each release whose slab objects are accounted by per-cgroup cache clones: up to 5.8. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@EnumSource(value = KernelRelease.class, names = {"V4_7", "V4_8", "V4_18"})
@interface CloneEras {
}
