#!/bin/sh
# Formats the C++ of our own design with clang-format (14, Debian 12's) and
# the root's .clang-format; with --check, changes nothing and lists the
# files that are not formatted (exit 1 if any). This is the one list of the
# files the C++ style covers (CONTRIBUTING.md): kern/, the compat/ headers
# that mirror FreeBSD's or OpenBSD's, and the C programs that test them are
# written in style(9) and are not formatted by a tool.
set -eu
cd "$(dirname "$0")/.."

CLANG_FORMAT=${CLANG_FORMAT:-clang-format}

# tools/ and tests/: every C++ file, but the header the C tests include.
# sys/: the C++ interface. compat/: the emulation's own code and the
# headers of our own design (interfaces FreeBSD has no header for, or whose
# header we do not mirror).
covered() {
	git ls-files -- 'tools/*.cc' 'tools/*.h' 'tests/*.cc' 'tests/*.h' \
	    'compat/*.cc' 'compat/*.hpp' |
	    grep -vx 'tests/util/check.h'
	printf '%s\n' \
	    sys/vmem.hpp \
	    compat/illumos/illumos_vmem.h \
	    compat/openbsd/uvm/uvm_extern.h \
	    compat/vm/uma.h \
	    compat/vm/uma_int.h \
	    compat/vm/vm_kern.h
}

case "${1:-}" in
--check)
	bad=0
	for f in $(covered); do
		if ! "$CLANG_FORMAT" --style=file "$f" | cmp -s - "$f"; then
			echo "not formatted: $f (tools/format.sh formats it)"
			bad=1
		fi
	done
	exit $bad
	;;
--list)
	covered
	;;
"")
	covered | xargs "$CLANG_FORMAT" --style=file -i
	;;
*)
	echo "usage: tools/format.sh [--check | --list]" >&2
	exit 2
	;;
esac
