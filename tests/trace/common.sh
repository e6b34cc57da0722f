# Shared by the tracing tests (sourced): where the counting program and the
# library it loads are, and the rule that only a non-root run may skip.
# Each test prints "tracing: ran" when it ran to the end and
# "tracing: skipped" when it did not run at all; .ci/run requires the
# first.

root="${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}"
counts="$root/tests/trace/sdt_counts"
tmp="${TEST_TMPDIR:-/tmp}/trace.$$"
mkdir -p "$tmp"
# perf keeps a cache of the files it probes under $HOME/.debug.
export PERF_BUILDID_DIR="$tmp/debug" HOME="$tmp"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Tracing needs root (uprobes, tracefs); CI runs as root.
require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "tracing: skipped (not root: uprobes need root)"
		exit 0
	fi
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 ||
		    fail "$tool is not installed (tools/bazel installs it)"
	done
}

# The libuvmem.so the counting program loads, by its real path (uprobes
# attach to the file).
library_of() {
	lib=$(ldd "$1" | awk '$1 == "libuvmem.so" { print $3 }')
	[ -n "$lib" ] || fail "$1 does not load libuvmem.so"
	readlink -f "$lib"
}

# What the counting program says each probe must count: "PROV:NAME N".
expected_counts() {
	"$counts" > "$tmp/expected" || fail "sdt_counts failed"
	[ "$(wc -l < "$tmp/expected")" -ge 11 ] ||
	    fail "sdt_counts printed too little: $(cat "$tmp/expected")"
}

# Starts bpftrace on a program (-e text) in the background and waits until
# it has attached (its BEGIN printed "ready"). With -c, bpftrace looks for
# the probes of a library in the child before it has loaded it, so the
# tests and tools/trace attach to the library's file instead.
bpftrace_start() {
	bpftrace_launch '^ready' -e "BEGIN { printf(\"ready\\n\"); } $1"
}

# Starts bpftrace with ARGS... and waits for a line matching READY.
bpftrace_launch() {
	ready=$1
	shift
	# Its standard output, not -o: -o holds everything back until exit.
	bpftrace "$@" > "$tmp/bpftrace.out" 2> "$tmp/bpftrace.err" &
	bpftrace_pid=$!
	i=0
	until grep -q "$ready" "$tmp/bpftrace.out" 2>/dev/null; do
		kill -0 "$bpftrace_pid" 2>/dev/null ||
		    fail "bpftrace exited: $(cat "$tmp/bpftrace.err")"
		i=$((i + 1))
		[ "$i" -lt 600 ] || fail "bpftrace did not attach in 60 s"
		sleep 0.1
	done
}

# Stops it (SIGINT: it prints its maps and exits).
bpftrace_stop() {
	kill -INT "$bpftrace_pid"
	wait "$bpftrace_pid" || fail "bpftrace failed: $(cat "$tmp/bpftrace.err")"
	bpftrace_pid=""
}
