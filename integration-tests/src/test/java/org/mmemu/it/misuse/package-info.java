/**
 * The misuse catalogue: each test commits one misuse of the in-kernel or the facade API, asserts
 * the kernel's reaction (a {@code KernelBug} with the kernel's message, a bad-page report and its
 * leak, an errno) and, through a {@link org.mmemu.it.fixture.Witness}, that nothing else was lost
 * or changed. A misuse whose reaction depends on the era runs in each era it exists in; the
 * others run in the latest one only.
 */
package org.mmemu.it.misuse;
