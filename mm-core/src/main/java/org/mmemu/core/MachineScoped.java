package org.mmemu.core;

import com.google.inject.ScopeAnnotation;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One instance per machine: the scope of every service of a machine ({@link MachineScope}).
 * An injector built by {@link Injectors#strict} outlives its machine, so its services are not
 * injector singletons: a recycled injector builds the next machine's afresh.
 */
@ScopeAnnotation
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface MachineScoped {
}
