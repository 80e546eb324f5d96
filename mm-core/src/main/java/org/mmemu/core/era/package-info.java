/**
 * The era table's key and SPI: {@link org.mmemu.core.era.KernelRelease}, and the
 * {@link org.mmemu.core.era.EraDescriptor} of era-dependent choices each module declares
 * (mm-core's is {@link org.mmemu.core.era.MmCoreEras}).
 */
package org.mmemu.core.era;
