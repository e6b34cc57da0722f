#!/bin/sh
# Every path that a document cites and that names a file of this tree
# exists: a word starting with kern/, compat/, sys/, tests/, tools/, docs/
# or bazel/ (a glob such as kern/subr_vmem_*.inc must match something, a
# path ending in / must be a directory), and every Bazel label //pkg:name
# or //pkg/... names a package. Not checked: upstream's paths (sys/kern/,
# sys/vm/, sys/sys/, or a path inside another path or a URL) and header
# names in <...>. The tree is found through the runfiles' symlinks.
# Usage: paths_test.sh DOCUMENT... (paths relative to the tree's root).
set -eu

root="${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}"
src=$(readlink -f "$root/$1")
src=${src%/"$1"}
if [ ! -d "$src/kern" ] || [ ! -d "$src/tests" ]; then
	echo "FAIL: the source tree is not found through $root/$1" >&2
	exit 1
fi

# The paths and labels a document cites, one a line.
cited() {
	grep -oP '(?<![\w/.<>@-])(//)?(kern|compat|sys|tests|tools|docs|bazel)/[\w./*+-]*(:[\w./+-]+)?' "$1" |
	    sed -E '/\/\.\.\.$/!s/[.,:;]+$//' |
	    grep -vE '^(sys/kern|sys/vm|sys/sys)/' | LC_ALL=C sort -u
}

# Prints each cited path of $1 that does not exist under $2; the count of
# missing ones is its status (0: all exist).
missing() {
	n=0
	for p in $(cited "$1"); do
		case "$p" in
		//*...)
			d=${p#//}
			d=${d%/...}
			[ -d "$2/$d" ] ;;
		//*)
			d=${p#//}
			d=${d%%:*}
			[ -f "$2/$d/BUILD.bazel" ] || [ -f "$2/$d/BUILD" ] ;;
		*/)
			[ -d "$2/$p" ] ;;
		*'*'*)
			found=
			for f in "$2"/$p; do
				[ -e "$f" ] && found=1
			done
			[ -n "$found" ] ;;
		*)
			[ -e "$2/$p" ] ;;
		esac || { echo "$p"; n=$((n + 1)); }
	done
	return $n
}

# The check itself can fail: a document with a stale path, a stale glob
# and a stale label, among paths it must let pass.
tmp="${TEST_TMPDIR:-/tmp}/paths_test.$$"
mkdir -p "$tmp/tree/kern" "$tmp/tree/tests/kern"
touch "$tmp/tree/kern/a.cc" "$tmp/tree/tests/kern/BUILD.bazel"
cat > "$tmp/doc.md" <<'DOC'
`kern/a.cc`, kern/gone.cc, `kern/*.inc` and //tests/kern:t, //tests/gone:t.
Upstream's sys/kern/subr_vmem.c, <sys/vmem.h>, freebsd-src/sys/vm/uma.h,
https://example.org/tools/x, //tests/kern/... and `tests/kern/`.
DOC
if out=$(missing "$tmp/doc.md" "$tmp/tree"); then
	echo "FAIL: the check let stale paths pass" >&2
	exit 1
fi
if [ "$out" != "$(printf '//tests/gone:t\nkern/*.inc\nkern/gone.cc')" ]; then
	echo "FAIL: the check's self-test found:" >&2
	echo "$out" >&2
	exit 1
fi
rm -rf "$tmp"

failed=0
for doc in "$@"; do
	if out=$(missing "$src/$doc" "$src"); then
		echo "$doc: $(cited "$src/$doc" | wc -l) paths, all exist"
	else
		echo "$out" | sed "s|^|FAIL: $doc cites a path that does not exist: |" >&2
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
