package org.mmemu.it.walk;

/** A task's mapping of an mmapable array: the vma holds the map's file, so the map lives while it does. */
record ModelMapping(ModelBpfMap map, long addr, long len) {
}
