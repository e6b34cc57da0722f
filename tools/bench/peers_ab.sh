#!/bin/bash
# Compares builds of libuvmem.so on the peer harness's workloads, interleaved
# in one invocation, so that the machine's drift hits every build alike.
#
#   tools/bench/peers_ab.sh REPS NAME=path/to/libuvmem.so [NAME=...] ...
#
# For each repetition and workload it runs the harness's driver against each
# library (the order reversed every other repetition: the first run after
# another program pays for fresh memory), then the std::map yardstick, and
# at the end prints per workload and build the median ns/op and `vs peer`
# (port / yardstick of the same repetition, over the best peer's ratio in
# peers.tsv: below 1.0 is ahead), with its range over the repetitions, and
# for each build after the first the median over repetitions of its time
# over the first build's. Raw lines go to $OUT/raw.txt.
#
# The harness lives outside the tree (VBENCH_DIR, default ../shared/bench;
# see its README). WORKLOADS (default: all) picks rows, e.g. "W1:0.1 W8:1".
# Build a library with `tools/bazel build -c opt //:uvmem`
# and copy bazel-bin/libuvmem.so away before building the next.
set -euo pipefail

VBENCH_DIR=${VBENCH_DIR:-../shared/bench}
OUT=${OUT:-$(mktemp -d /tmp/peers_ab.XXXXXX)}
CC=${CC:-gcc}
CXX=${CXX:-g++}

if [ $# -lt 2 ]; then
	sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
reps=$1
shift
names=()
for spec in "$@"; do
	name=${spec%%=*}
	lib=${spec#*=}
	[ -f "$lib" ] || { echo "peers_ab: no library $lib" >&2; exit 2; }
	mkdir -p "$OUT/$name"
	cp "$lib" "$OUT/$name/libuvmem.so"
	names+=("$name")
done

"$CC" -O2 -std=gnu11 -c "$VBENCH_DIR/vbench.c" -o "$OUT/vbench.o"
"$CC" -O2 -std=gnu11 -I. -c "$VBENCH_DIR/vb_fbsd_api.c" -o "$OUT/vb_port.o"
"$CXX" -O2 -std=c++17 -I"$VBENCH_DIR" -c "$VBENCH_DIR/vb_baseline.cc" \
    -o "$OUT/vb_baseline.o"
"$CXX" -o "$OUT/vbench-baseline" "$OUT/vbench.o" "$OUT/vb_baseline.o" -lpthread
for name in "${names[@]}"; do
	"$CC" -o "$OUT/$name/vbench" "$OUT/vbench.o" "$OUT/vb_port.o" \
	    "$OUT/$name/libuvmem.so" -Wl,-rpath,"$OUT/$name" -lpthread -lm
done

raw="$OUT/raw.txt"
: >"$raw"
run() {	# run NAME BINARY WORKLOAD SCALE REP
	"$2" --peer-name "$1" --workload "$3" --scale "$4" 2>/dev/null |
	    awk -v n="$1" -v s="$4" -v r="$5" '{ print r, n, $2, s, $3 }' >>"$raw"
}
for rep in $(seq "$reps"); do
	order=("${names[@]}")
	if [ $((rep % 2)) -eq 0 ]; then
		order=()
		for ((i = ${#names[@]} - 1; i >= 0; i--)); do
			order+=("${names[$i]}")
		done
	fi
	for ws in ${WORKLOADS:-W1:0.1 W2:0.1 W3:0.1 W4:0.1 W5:0.1 W6:0.1 W7:0.1 W8:0.1 W8:1}; do
		for name in "${order[@]}"; do
			run "$name" "$OUT/$name/vbench" "${ws%:*}" "${ws#*:}" "$rep"
		done
		run baseline "$OUT/vbench-baseline" "${ws%:*}" "${ws#*:}" "$rep"
	done
	echo "peers_ab: repetition $rep of $reps done" >&2
done

awk -v peers="$VBENCH_DIR/peers.tsv" -v builds="${names[*]}" '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function range(list,   n, a, i, lo, hi) {
	n = split(list, a, " ")
	lo = hi = a[1]
	for (i = 2; i <= n; i++) {
		if (a[i] + 0 < lo + 0) lo = a[i]
		if (a[i] + 0 > hi + 0) hi = a[i]
	}
	return sprintf("%.2f-%.2f", lo, hi)
}
BEGIN {
	while ((getline line < peers) > 0) {
		if (line ~ /^#/ || line == "") continue
		split(line, f, "\t")
		key = f[1] " " f[2]; pratio[key] = f[4]; order[++nkeys] = key
	}
	nb = split(builds, b, " ")
}
{ ns[$1, $2, $3 " " $4] = $5; if ($1 > reps) reps = $1 }
END {
	printf "%-16s %5s %-10s %9s %8s %11s %9s\n", "workload", "scale",
	    "build", "ns/op", "vs peer", "range", "/ " b[1]
	for (k = 1; k <= nkeys; k++) {
		key = order[k]
		for (i = 1; i <= nb; i++) {
			t = v = rel = ""
			for (r = 1; r <= reps; r++) {
				if (!((r, b[i], key) in ns) || !((r, "baseline", key) in ns))
					continue
				x = ns[r, b[i], key]
				t = t " " x
				v = v " " (x / ns[r, "baseline", key]) / pratio[key]
				if (i > 1 && (r, b[1], key) in ns)
					rel = rel " " x / ns[r, b[1], key]
			}
			if (t == "") continue
			split(key, kk, " ")
			printf "%-16s %5s %-10s %9.1f %8.2f %11s %9s\n", kk[1], kk[2],
			    b[i], median(t), median(v), range(v),
			    (rel == "") ? "-" : sprintf("%.3f", median(rel))
		}
	}
}' "$raw"
echo "raw: $raw"
