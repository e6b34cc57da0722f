#!/bin/sh
# The lower layer's dependencies (a genquery, BUILD.bazel) name nothing of
# vmem, kern/ or a client of vmem; a client's do, and the check sees it.
#
# Arguments: LOWER_DEPS CLIENT_DEPS, one label a line.
set -eu

# What the lower layer may not depend on.
forbidden='^//:(vmem|uvmem|uvmem_contents|libuvmem[.a-z0-9]*)$|^//kern[:/]|^//compat/(vm_kern|illumos|openbsd)[:/]|^//compat/(vm_kern|illumos|openbsd)$'

bad=$(grep -E "$forbidden" "$1" || true)
if [ -n "$bad" ]; then
	echo "FAIL: the lower layer of compat/ depends on:" >&2
	printf '%s\n' "$bad" | sed 's/^/    /' >&2
	exit 1
fi
grep -q '^//compat:compat$' "$1" || {
	echo "FAIL: $1 does not list //compat:compat" >&2
	exit 1
}
# The check itself: //compat/vm_kern stands on //:vmem and kern/.
if ! grep -Eq "$forbidden" "$2"; then
	echo "FAIL: the check does not see that a client depends on vmem" >&2
	exit 1
fi
echo "layers_test: $(wc -l < "$1") targets under the lower layer, none above it"
