#!/bin/sh
# Installs libuvmem (shared and static), its headers, pkg-config files, the
# tools and the manual pages under PREFIX:
#
#   tools/bazel run //:install -- PREFIX
#
# A relative PREFIX is taken from the directory bazel was run in. With
# DESTDIR set, files go under DESTDIR/PREFIX while the pkg-config files
# still name PREFIX (for staging packages). Installing again replaces what
# is there; nothing else under PREFIX is touched. What goes where is the
# manifest that tools/BUILD.bazel writes (install_manifest.txt).
set -eu

prog=install

die() {
	echo "$prog: $*" >&2
	exit 1
}

usage() {
	cat >&2 <<EOF
usage: tools/bazel run //:install -- PREFIX

Installs under PREFIX: lib/libuvmem.so.1.0.0 (soname libuvmem.so.1, with the
links libuvmem.so.1 and libuvmem.so), lib/libuvmem.a, include/sys/vmem.h,
include/sys/vmem_ext.h, include/sys/vmem.hpp, the illumos and OpenBSD
interfaces' headers under include/illumos and include/openbsd,
lib/pkgconfig/uvmem.pc, uvmem-illumos.pc and uvmem-openbsd.pc, bin/vmemstat,
bin/vmem_audit and the manual pages under share/man.
Set DESTDIR to stage the files under DESTDIR/PREFIX.
EOF
	exit 2
}

case "${1:-}" in
-h | --help) usage ;;
--) shift ;;
esac
[ $# -eq 1 ] || usage
[ -n "$1" ] || usage
prefix=$1

# Where the files to install are: the runfiles of this script (bazel run, a
# test that has it as data, or bazel-bin/tools/install run by hand).
runfiles=""
for dir in "$0.runfiles" "${RUNFILES_DIR:-}" "${TEST_SRCDIR:-}"; do
	if [ -n "$dir" ] && [ -f "$dir/vmem/tools/install_manifest.txt" ]; then
		runfiles=$dir/vmem
		break
	fi
done
[ -n "$runfiles" ] ||
	die "cannot find the files to install (run it with: tools/bazel run //:install -- PREFIX)"
manifest=$runfiles/tools/install_manifest.txt

# A relative PREFIX is relative to where the user ran bazel, not to the
# runfiles directory bazel runs us in.
case $prefix in
/*) ;;
*) prefix=${BUILD_WORKING_DIRECTORY:-$(pwd)}/$prefix ;;
esac
# Tidy the name the pkg-config files will carry: no "." or ".." components,
# no double or trailing slashes (symbolic links are kept as named).
prefix=$(realpath -m -s -- "$prefix" 2>/dev/null ||
	printf '%s\n' "$prefix" | sed -e 's#//*#/#g' -e 's#/\./#/#g' \
		-e 's#/\.$##' -e 's#\(.\)/$#\1#')
dest=${DESTDIR:-}$prefix

# Fail early, before anything is written, if PREFIX cannot be written
# (root ignores permission bits, so try to create a file).
if ! err=$(mkdir -p "$dest" 2>&1); then
	die "cannot create PREFIX $dest (${err#mkdir: })"
fi
probe=$(mktemp "$dest/.uvmem-install.XXXXXX" 2>/dev/null) ||
	die "PREFIX $dest is not writable"
rm -f "$probe"

installed=0
while read -r kind a b c; do
	case $kind in
	file)
		# file SRC DEST MODE
		mkdir -p "$(dirname "$dest/$b")" ||
			die "cannot create $(dirname "$dest/$b")"
		# Replace, never write through, whatever is there (a link, a
		# read-only file from a previous install).
		rm -f "$dest/$b"
		cp "$runfiles/$a" "$dest/$b.tmp$$" &&
			chmod "$c" "$dest/$b.tmp$$" &&
			mv -f "$dest/$b.tmp$$" "$dest/$b" ||
			die "cannot install $dest/$b"
		;;
	link)
		# link DEST TARGET
		mkdir -p "$(dirname "$dest/$a")" ||
			die "cannot create $(dirname "$dest/$a")"
		rm -f "$dest/$a"
		ln -s "$b" "$dest/$a" || die "cannot link $dest/$a"
		;;
	pc)
		# pc TEMPLATE DEST: @PREFIX@ becomes PREFIX.
		mkdir -p "$(dirname "$dest/$b")" ||
			die "cannot create $(dirname "$dest/$b")"
		rm -f "$dest/$b"
		esc=$(printf '%s\n' "$prefix" | sed 's/[&#\\]/\\&/g')
		sed "s#@PREFIX@#$esc#g" "$runfiles/$a" > "$dest/$b.tmp$$" &&
			chmod 0644 "$dest/$b.tmp$$" &&
			mv -f "$dest/$b.tmp$$" "$dest/$b" ||
			die "cannot install $dest/$b"
		;;
	"") continue ;;
	*) die "bad manifest line: $kind $a $b $c" ;;
	esac
	installed=$((installed + 1))
done < "$manifest"

echo "$prog: $installed files and links installed under $dest"
