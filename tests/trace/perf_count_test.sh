#!/bin/sh
# perf counts every probe of vmem_sdt(9) exactly: the counting program makes
# a known number of each event (and internal calls that must add nothing),
# and `perf stat` of each probe, added with `perf probe -x LIB -a
# sdt_vmem:NAME`, must equal it. The probes are removed at the end.
set -eu
. "${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}/tests/trace/common.sh"
require_root perf

expected_counts
lib=$(library_of "$counts")
added=""
cleanup() {
	for ev in $added; do
		perf probe -q -d "$ev" >/dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

events=""
while read -r probe want; do
	name=${probe#vmem:}
	perf probe -q -x "$lib" -a "sdt_vmem:$name" 2>"$tmp/probe.err" ||
	    fail "perf probe -x $lib -a sdt_vmem:$name: $(cat "$tmp/probe.err")"
	added="$added sdt_vmem:$name"
	events="$events -e sdt_vmem:$name"
done < "$tmp/expected"
# The zone allocator's probes: some misses and slabs, however many.
for name in zalloc__miss slab__alloc; do
	perf probe -q -x "$lib" -a "sdt_uma:$name" ||
	    fail "perf probe -x $lib -a sdt_uma:$name"
	added="$added sdt_uma:$name"
	events="$events -e sdt_uma:$name"
done

# shellcheck disable=SC2086
perf stat -x, -o "$tmp/stat" $events "$counts" > "$tmp/second" ||
    fail "perf stat failed: $(cat "$tmp/stat")"
cmp -s "$tmp/expected" "$tmp/second" ||
    fail "the counting program is not deterministic"
bad=0
while read -r probe want; do
	got=$(awk -F, -v ev="sdt_vmem:${probe#vmem:}" \
	    '$3 == ev { print $1 }' "$tmp/stat")
	if [ "$got" != "$want" ]; then
		echo "FAIL: $probe: perf counted '$got', want $want" >&2
		bad=1
	else
		echo "ok: $probe $got"
	fi
done < "$tmp/expected"
for name in zalloc__miss slab__alloc; do
	got=$(awk -F, -v ev="sdt_uma:$name" '$3 == ev { print $1 }' "$tmp/stat")
	if [ -z "$got" ] || [ "$got" -eq 0 ]; then
		echo "FAIL: uma:$name: perf counted '$got', want some" >&2
		bad=1
	else
		echo "ok: uma:$name $got"
	fi
done
[ "$bad" -eq 0 ] || { cat "$tmp/stat" >&2; exit 1; }
echo "tracing: ran"
