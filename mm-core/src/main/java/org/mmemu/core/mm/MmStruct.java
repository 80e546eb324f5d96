package org.mmemu.core.mm;

/**
 * An emulated {@code mm_struct}: a user address space. Filled in by the address-space work;
 * for now it only exists so that tasks can have one.
 */
public final class MmStruct {
}
