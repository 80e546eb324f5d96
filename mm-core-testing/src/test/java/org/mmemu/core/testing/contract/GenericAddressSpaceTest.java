package org.mmemu.core.testing.contract;

import com.google.inject.Module;
import org.mmemu.core.mm.GenericPageTableAllocator;
import org.mmemu.core.mm.PageTableAllocator;
import org.mmemu.core.policy.PolicyBinder;

/** The address-space contract under mm-core's generic (x86-64) page-table allocator. */
class GenericAddressSpaceTest extends AddressSpaceContract {
    @Override
    protected Module pageTableBinding() {
        return binder -> PolicyBinder.policyBinder(binder, PageTableAllocator.class)
                .select(GenericPageTableAllocator.NAME);
    }
}
