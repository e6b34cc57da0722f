#!/bin/sh
# bpftrace counts every probe of vmem_sdt(9) exactly, as perf does
# (perf_count_test.sh): usdt:LIB:vmem:* while the counting program runs.
set -eu
. "${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}/tests/trace/common.sh"
require_root bpftrace
bpftrace_pid=""
cleanup() {
	[ -z "$bpftrace_pid" ] || kill "$bpftrace_pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

expected_counts
lib=$(library_of "$counts")
bpftrace_start "usdt:$lib:vmem:* { @[probe] = count(); }"
"$counts" > "$tmp/second" || fail "sdt_counts failed under bpftrace"
bpftrace_stop
cmp -s "$tmp/expected" "$tmp/second" ||
    fail "the counting program is not deterministic"
bad=0
while read -r probe want; do
	got=$(sed -n "s|^@\[usdt:$lib:$probe\]: ||p" "$tmp/bpftrace.out")
	if [ "$got" != "$want" ]; then
		echo "FAIL: $probe: bpftrace counted '$got', want $want" >&2
		bad=1
	else
		echo "ok: $probe $got"
	fi
done < "$tmp/expected"
[ "$bad" -eq 0 ] || { cat "$tmp/bpftrace.out" >&2; exit 1; }
echo "tracing: ran"
