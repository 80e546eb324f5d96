package org.mmemu.slab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mmemu.core.era.KernelRelease;

/** A test run under each release whose slab objects carry obj_cgroups: 5.9 and later. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest
@EnumSource(value = KernelRelease.class, names = {"V5_9", "V5_10", "V5_11", "LATEST"})
@interface ObjcgEras {
}
