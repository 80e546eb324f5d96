package org.mmemu.s390.archfixture;

import org.mmemu.bpf.archfixture.BpfMapOnSlab;

/** A deliberate violation for MmemuRulesTest: one tenant using another. */
public final class S390UsingBpf {
    /** The sideways dependency. */
    final BpfMapOnSlab map = new BpfMapOnSlab();
}
