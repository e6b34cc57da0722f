#!/bin/bash
# Build the differential fuzzer (libFuzzer + ASan, --config=fuzz; pass
# --config=fuzz-opt for the -O2 ASan+UBSan build) and run it on a copy of
# the seed corpus.
#   tests/fuzz/run_fuzzer.sh [--min-ops=N] [seconds] [extra bazel flags...]
# It fuzzes for `seconds` (default 60); with --min-ops=N, fewer than N
# operations of the fuzz target (driver.h: each decoded operation, checked
# against the model or predicted to panic) in that time is a failure.
#
# The last line is "fuzzer: N operations, D divergences". A divergence
# (vmem and the model disagree, or vmem crashes) stops the run: the
# reproducer is left in the artifact directory printed, and should become
# a named test in tests/fuzz/regressions_test.cc. Exit status: 0 if no
# divergence and enough operations, else 1.
set -uo pipefail
cd "$(dirname "$0")/../.."

MIN_OPS=0
case "${1:-}" in
--min-ops=*)
	MIN_OPS=${1#--min-ops=}
	shift
	;;
esac
SECONDS_TO_RUN=${1:-60}
shift || true
BAZEL=${BAZEL:-tools/bazel}

"$BAZEL" build --config=fuzz "$@" //tests/fuzz:vmem_fuzzer || exit 1
BIN=$("$BAZEL" info --config=fuzz "$@" bazel-bin 2>/dev/null)/tests/fuzz/vmem_fuzzer

WORK=$(mktemp -d)
mkdir -p "$WORK/corpus" "$WORK/artifacts"
cp tests/fuzz/corpus/* "$WORK/corpus/"
echo "run_fuzzer: --config=fuzz $* for $SECONDS_TO_RUN s, at least" \
	"$MIN_OPS operations; corpus and artifacts in $WORK"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
log="$WORK/fuzz.log"
start=$(date +%s)
"$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=1024 -timeout=20 \
	-rss_limit_mb=4096 -print_final_stats=1 \
	-artifact_prefix="$WORK/artifacts/" "$WORK/corpus" > "$log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
# The fuzz target prints its count at exit (not after a crash).
ops=$(sed -n 's/^vmem_fuzzer: \([0-9]*\) operations.*/\1/p' "$log" | tail -n 1)
ops=${ops:-0}
if [ "$rc" -ne 0 ]; then
	grep -E 'disagree|panic:|ERROR|SUMMARY' "$log" | head -n 20 >&2
	tail -n 30 "$log" >&2
	echo "run_fuzzer: FAILED (exit $rc) after $elapsed s; reproducers:" >&2
	ls -l "$WORK/artifacts" >&2
	echo "fuzzer: $ops operations, 1 divergence (the run failed: see above)"
	exit 1
fi
# The counters, and the predictions checked in a child by kind.
grep -E '^vmem_fuzzer: |^  vmem_' "$log" | grep -v ' operations, '
grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$log"
echo "run_fuzzer: $elapsed s, $((ops / (elapsed > 0 ? elapsed : 1))) operations/s"
if [ "$ops" -lt "$MIN_OPS" ]; then
	echo "run_fuzzer: FAILED: $ops operations, fewer than $MIN_OPS" >&2
	echo "fuzzer: $ops operations, 0 divergences"
	exit 1
fi
rm -rf "$WORK"
echo "fuzzer: $ops operations, 0 divergences"
