#!/bin/sh
# Every header under compat/ and sys/ compiles on its own as C11 and as
# C++17 (a .hpp header as C++17 only), with the include path its callers
# use, and twice in a row; with gcc/g++ and, when installed, clang/clang++.
# A header of the source tree that the test's data does not list fails
# the test too (see BUILD.bazel), so a new header cannot go unchecked.
set -eu

root="${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}"
cd "$root"
tmp="${TEST_TMPDIR:-/tmp}/headers_test.$$"
mkdir -p "$tmp"
failed=0
checked=0
mkdir -p "$tmp/vm_map_struct/sys" "$tmp/vm_map_struct/vm"
cp compat/sys/_mutex.h "$tmp/vm_map_struct/sys/"
cp compat/vm/_vm_map.h "$tmp/vm_map_struct/vm/"

# The include path and the name a caller includes the header by.
place() {
	case "$1" in
	compat/illumos/*)
		iflags="-I compat/illumos"
		name="<${1#compat/illumos/}>" ;;
	compat/openbsd/*)
		# and struct vm_map alone (//compat:vm_map_struct)
		iflags="-I compat/openbsd -I $tmp/vm_map_struct"
		name="<${1#compat/openbsd/}>" ;;
	compat/*)
		iflags="-I compat -I ."
		name="<${1#compat/}>" ;;
	sys/*)
		iflags="-I ."
		name="<$1>" ;;
	*)
		echo "headers_test: no include root for $1" >&2
		return 1 ;;
	esac
}

# compile compiler language-flags header
compile() {
	src="$tmp/t"
	printf '#include %s\n#include %s\nint headers_test_dummy;\n' \
	    "$name" "$name" > "$src"
	# shellcheck disable=SC2086
	if ! "$1" $2 -Wall -Wextra -Werror -fsyntax-only $iflags \
	    "$src" > "$tmp/out" 2>&1; then
		echo "FAIL: $3 with $1 $2 $iflags:" >&2
		sed 's/^/    /' "$tmp/out" >&2
		failed=$((failed + 1))
	fi
	checked=$((checked + 1))
}

compilers="gcc:g++"
if command -v clang >/dev/null 2>&1 && command -v clang++ >/dev/null 2>&1
then
	compilers="$compilers clang:clang++"
fi

headers=$(find compat sys -name '*.h' -o -name '*.hpp' | LC_ALL=C sort)
for h in $headers; do
	place "$h" || { failed=$((failed + 1)); continue; }
	for pair in $compilers; do
		cc=${pair%%:*}
		cxx=${pair#*:}
		case "$h" in
		*.h) compile "$cc" "-x c -std=c11" "$h" ;;
		esac
		compile "$cxx" "-x c++ -std=c++17" "$h"
	done
done

# Headers of the source tree that the data does not bring: found through
# the runfiles' symlinks, when they lead back to the source tree.
src=$(readlink -f sys/vmem.h 2>/dev/null || true)
src=${src%/sys/vmem.h}
if [ -n "$src" ] && [ -d "$src/compat" ] && [ "$src" != "$root" ]; then
	for h in $(cd "$src" && find compat sys -name '*.h' -o -name '*.hpp'); do
		if [ ! -e "$h" ]; then
			echo "FAIL: $h is not in the test's data" \
			    "(a filegroup all_headers of its package)" >&2
			failed=$((failed + 1))
		fi
	done
else
	echo "note: source tree not found; coverage not checked" >&2
fi

rm -rf "$tmp"
echo "$checked compilations of $(echo "$headers" | wc -w) headers," \
    "$failed failure(s)"
[ "$failed" -eq 0 ]
