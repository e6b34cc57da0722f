#!/bin/sh
# tools/trace/vmem.bt: traced by it, the counting program's allocations,
# frees, imports, releases and sleeps add up, over its arenas, to what the
# program says (sdt_counts); and vmemstat, run for two seconds under it,
# shows each of the arenas that vmemstat reports.
set -eu
. "${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}/tests/trace/common.sh"
require_root bpftrace
script="$root/tools/trace/vmem.bt"
vmemstat="$root/tools/vmemstat"
bpftrace_pid=""
cleanup() {
	[ -z "$bpftrace_pid" ] || kill "$bpftrace_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The total of MAP over the arenas in the script's closing lines.
total() {
	sed -n '/^--- totals/,$p' "$tmp/bpftrace.out" |
	    awk -v map="@total_$1" 'index($0, map "[") == 1 { n += $NF }
		END { print n + 0 }'
}

expected_counts
lib=$(library_of "$counts")
bpftrace_launch '^vmem.bt: tracing' "$script" "$lib"
"$counts" > "$tmp/second" || fail "sdt_counts failed under vmem.bt"
bpftrace_stop
cmp -s "$tmp/expected" "$tmp/second" ||
    fail "the counting program is not deterministic"
bad=0
for pair in allocs:alloc frees:free imports:import releases:release \
    sleeps:sleep creates:create destroys:destroy; do
	map=${pair%%:*}
	want=$(awk -v p="vmem:${pair#*:}" '$1 == p { print $2 }' "$tmp/expected")
	got=$(total "$map")
	if [ "$got" != "$want" ]; then
		echo "FAIL: vmem.bt's $map: $got, want $want" >&2
		bad=1
	else
		echo "ok: $map $got"
	fi
done
# The counting program's failures: the one too big, and the cache miss
# that ends its loop.
got=$(total fails)
if [ "$got" = 2 ]; then
	echo "ok: fails $got"
else
	echo "FAIL: vmem.bt's fails: $got, want 2" >&2
	bad=1
fi
[ "$bad" -eq 0 ] || { cat "$tmp/bpftrace.out" >&2; exit 1; }

# vmemstat has vmem statically: the script traces the program's file.
bpftrace_launch '^vmem.bt: tracing' "$script" "$(readlink -f "$vmemstat")"
"$vmemstat" --seconds=2 > "$tmp/vmemstat.out" ||
    fail "vmemstat --seconds=2 failed"
bpftrace_stop
arenas=$(sed -n "s/^vmem '\\(.*\\)'\$/\\1/p" "$tmp/vmemstat.out")
[ -n "$arenas" ] || fail "vmemstat reported no arena: $(cat "$tmp/vmemstat.out")"
grep -q '^--- [0-9][0-9]:' "$tmp/bpftrace.out" ||
    fail "vmem.bt printed no second: $(cat "$tmp/bpftrace.out")"
for arena in $arenas; do
	if grep -qF "[$arena]: " "$tmp/bpftrace.out"; then
		echo "ok: vmemstat's arena $arena"
	else
		echo "FAIL: vmem.bt does not show vmemstat's arena $arena" >&2
		bad=1
	fi
done
[ "$bad" -eq 0 ] || { cat "$tmp/bpftrace.out" >&2; exit 1; }
echo "tracing: ran"
