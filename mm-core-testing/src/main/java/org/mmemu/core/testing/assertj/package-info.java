/**
 * AssertJ assertions for mmemu's kernel structures: {@link
 * org.mmemu.core.testing.assertj.MmAssertions#assertThat(org.mmemu.core.page.Page)} and
 * {@link org.mmemu.core.testing.assertj.PageAssert}.
 */
package org.mmemu.core.testing.assertj;
