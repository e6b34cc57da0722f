#!/bin/bash
# Build the differential fuzzer (libFuzzer + ASan, --config=fuzz) and run it
# on a copy of the seed corpus for a bounded time. Exits non-zero if it
# finds a crash (the reproducer is left in the artifact directory printed
# at the end); a new crash should become a named test in
# tests/fuzz/regressions_test.cc.
#   tests/fuzz/run_fuzzer.sh [seconds] [extra bazel flags...]
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_TO_RUN=${1:-60}
shift || true
BAZEL=${BAZEL:-tools/bazel}

"$BAZEL" build --config=fuzz "$@" //tests/fuzz:vmem_fuzzer
BIN=$("$BAZEL" info --config=fuzz "$@" bazel-bin 2>/dev/null)/tests/fuzz/vmem_fuzzer

WORK=$(mktemp -d)
mkdir -p "$WORK/corpus" "$WORK/artifacts"
cp tests/fuzz/corpus/* "$WORK/corpus/"
echo "run_fuzzer: $SECONDS_TO_RUN s, corpus and artifacts in $WORK"
rc=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$BIN" \
	-max_total_time="$SECONDS_TO_RUN" -max_len=1024 -timeout=20 \
	-rss_limit_mb=4096 -print_final_stats=1 \
	-artifact_prefix="$WORK/artifacts/" "$WORK/corpus" || rc=$?
if [ "$rc" -ne 0 ]; then
	echo "run_fuzzer: FAILED (exit $rc); reproducers:" >&2
	ls -l "$WORK/artifacts" >&2
	exit "$rc"
fi
rm -rf "$WORK"
echo "run_fuzzer: no crash in $SECONDS_TO_RUN s"
