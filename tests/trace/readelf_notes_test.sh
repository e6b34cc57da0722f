#!/bin/sh
# readelf -n: libuvmem.so (as installed, libuvmem.so.1, and the unversioned
# one) holds one USDT note for each probe of vmem_sdt(9), and no other.
# Needs no root.
set -eu
root="${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}"
want="uma:slab__alloc
uma:zalloc__miss
vmem:alloc
vmem:alloc__start
vmem:create
vmem:destroy
vmem:free
vmem:import
vmem:qc__import
vmem:qc__release
vmem:release
vmem:sleep
vmem:wakeup"
command -v readelf >/dev/null || { echo "FAIL: no readelf" >&2; exit 1; }
bad=0
for lib in libuvmem.so.1 libuvmem.so; do
	got=$(readelf -n "$root/$lib" | awk '
	    $1 == "Provider:" { prov = $2 }
	    $1 == "Name:" && prov != "" { print prov ":" $2; prov = "" }' |
	    sort)
	if [ "$got" = "$want" ]; then
		echo "ok: $lib: $(echo "$got" | wc -l) probes, each once"
	else
		echo "FAIL: $lib: readelf -n lists" >&2
		echo "$got" | diff -u - /dev/fd/3 3<<EOT >&2 || true
$want
EOT
		bad=1
	fi
done
# The manual page documents each of them.
for probe in $want; do
	grep -q "^\\.It Sy ${probe#*:}\$" "$root/docs/man/vmem_sdt.9" || {
		echo "FAIL: vmem_sdt(9) does not document $probe" >&2
		bad=1
	}
done
exit "$bad"
