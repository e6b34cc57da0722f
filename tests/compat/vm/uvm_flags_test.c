/*
 * OpenBSD's flag values: each flag of <uvm/uvm.h> is the value of OpenBSD
 * 6.4 (<uvm/uvm_extern.h> revision 1.143, <uvm/uvm_map.h>), the release
 * the header and uvm_km(9) name. Compiled as OpenBSD code (compat/openbsd
 * as the include root).
 */
#include <sys/param.h>
#include <uvm/uvm.h>

#include "tests/util/check.h"

int
main(void)
{
	/* uvm_km_kmemalloc() flags */
	CHECK(UVM_KMF_NOWAIT == 0x1);
	CHECK(UVM_KMF_VALLOC == 0x2);
	CHECK(UVM_KMF_CANFAIL == 0x4);
	CHECK(UVM_KMF_ZERO == 0x08);
	CHECK(UVM_KMF_TRYLOCK == 0x0100000);
	/* uvm_map(9)'s, which UVM_KMF_TRYLOCK is */
	CHECK(UVM_FLAG_TRYLOCK == 0x0100000);
	CHECK(UVM_KMF_TRYLOCK == UVM_FLAG_TRYLOCK);
	/* uvm_km_suballoc() flags (vm_map flags) */
	CHECK(VM_MAP_PAGEABLE == 0x01);
	CHECK(VM_MAP_INTRSAFE == 0x02);
	CHECK(VM_MAP_WIREFUTURE == 0x04);
	/* No two kmemalloc flags share a bit. */
	CHECK((UVM_KMF_NOWAIT | UVM_KMF_VALLOC | UVM_KMF_CANFAIL |
	    UVM_KMF_ZERO | UVM_KMF_TRYLOCK) == UVM_KMF_NOWAIT + UVM_KMF_VALLOC +
	    UVM_KMF_CANFAIL + UVM_KMF_ZERO + UVM_KMF_TRYLOCK);
	return (check_report("uvm_flags_test", 0));
}
