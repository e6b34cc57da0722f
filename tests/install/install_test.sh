#!/bin/bash
# //:install as a user meets it: install into a temporary PREFIX (twice,
# relative, staged with DESTDIR, and into places that cannot be written),
# then, outside Bazel, build a C program and a C++ program against PREFIX
# with cc and pkg-config, shared and static, and an illumos-style and an
# OpenBSD-style C program against the foreign interfaces (uvmem-illumos,
# uvmem-openbsd), run them, run the installed tools, and lint and render
# every installed manual page.
#
# Arguments: --sanitize=asan|tsan|none: how the library was built; the
# programs built here must use the same sanitizer (and so clang).
set -uo pipefail

sanitize=none
for arg in "$@"; do
	case $arg in
	--sanitize=*) sanitize=${arg#--sanitize=} ;;
	*) echo "install_test: unknown argument $arg" >&2; exit 2 ;;
	esac
done

case $sanitize in
asan)
	CC=clang CXX=clang++
	# UBSan's C++ runtime (for the library's C++ code) needs libstdc++,
	# even in a C program.
	SANFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-link-c++-runtime"
	SANLIBS="-lstdc++"
	;;
tsan)
	CC=clang CXX=clang++
	SANFLAGS="-fsanitize=thread"
	SANLIBS=""
	;;
*)
	CC=cc CXX=c++
	SANFLAGS=""
	SANLIBS=""
	;;
esac

runfiles=${TEST_SRCDIR:?}/vmem
install=$runfiles/tools/install
here=$runfiles/tests/install
tmp=${TEST_TMPDIR:?}
failures=0
checks=0

pass() {
	checks=$((checks + 1))
}

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
	checks=$((checks + 1))
}

# check DESCRIPTION COMMAND...: runs COMMAND, which must succeed.
check() {
	local what=$1
	shift
	local out
	if out=$("$@" 2>&1); then
		pass
	else
		fail "$what: $* exited $?"
		printf '%s\n' "$out" | sed 's/^/    /' >&2
	fi
}

for tool in "$CC" "$CXX" pkg-config mandoc man readelf; do
	if ! command -v "$tool" > /dev/null; then
		echo "install_test: $tool not found (tools/bazel installs it)" >&2
		exit 1
	fi
done

# --- Installing --------------------------------------------------------

prefix=$tmp/prefix
out=$("$install" "$prefix" 2>&1)
rc=$?
[ $rc -eq 0 ] && pass || fail "install $prefix exited $rc: $out"

expected="
bin/vmem_audit
bin/vmemstat
include/sys/vmem.h
include/sys/vmem.hpp
include/sys/vmem_ext.h
include/illumos/sys/vmem.h
include/illumos/illumos_vmem.h
include/openbsd/sys/param.h
include/openbsd/uvm/uvm.h
include/openbsd/uvm/uvm_extern.h
include/openbsd/uvm/uvm_map.h
include/openbsd/uvm/uvm_param.h
include/openbsd/uvm/uvmexp.h
include/openbsd/vm/_vm_map.h
include/openbsd/sys/_mutex.h
include/sys/_malloc_flags.h
include/uvmem-kernel/sys/param.h
include/uvmem-kernel/sys/systm.h
include/uvmem-kernel/sys/queue.h
include/uvmem-kernel/sys/malloc.h
include/uvmem-kernel/sys/lock.h
include/uvmem-kernel/sys/mutex.h
include/uvmem-kernel/sys/condvar.h
include/uvmem-kernel/sys/kernel.h
include/uvmem-kernel/sys/proc.h
include/uvmem-kernel/sys/callout.h
include/uvmem-kernel/sys/taskqueue.h
include/uvmem-kernel/sys/sysctl.h
include/uvmem-kernel/vm/uma.h
include/uvmem-kernel/vm/vm_kern.h
lib/libuvmem.a
lib/libuvmem.so
lib/libuvmem.so.1
lib/libuvmem.so.1.0.0
lib/pkgconfig/uvmem.pc
lib/pkgconfig/uvmem-illumos.pc
lib/pkgconfig/uvmem-openbsd.pc
lib/pkgconfig/uvmem-kernel.pc
share/man/man1/vmem_audit.1
share/man/man3/vmem.3
share/man/man3/vmem.hpp.3
share/man/man3/vmem_ext.3
share/man/man3/vmem_xalloc.3
share/man/man3/vmem_verify.3
share/man/man8/vmemstat.8
share/man/man3/illumos_vmem.3
share/man/man3/illumos_vmem_create.3
share/man/man9/uvm_km.9
share/man/man9/uvm_km_kmemalloc.9
share/man/man9/zone.9
share/man/man9/uma_zalloc.9
share/man/man9/uvmem_kernel.9
share/man/man9/mtx_init.9
"
for f in $expected; do
	[ -e "$prefix/$f" ] && pass || fail "not installed: $f"
done
[ "$(readlink "$prefix/lib/libuvmem.so")" = libuvmem.so.1 ] && pass ||
	fail "lib/libuvmem.so does not point to libuvmem.so.1"
[ "$(readlink "$prefix/lib/libuvmem.so.1")" = libuvmem.so.1.0.0 ] && pass ||
	fail "lib/libuvmem.so.1 does not point to libuvmem.so.1.0.0"
readelf -d "$prefix/lib/libuvmem.so.1.0.0" |
	grep -c 'Library soname: \[libuvmem.so.1\]' >/dev/null && pass ||
	fail "libuvmem.so.1.0.0 has no soname libuvmem.so.1"
[ -x "$prefix/bin/vmemstat" ] && [ -x "$prefix/bin/vmem_audit" ] && pass ||
	fail "tools not executable"
# Every link resolves.
while read -r link; do
	[ -e "$link" ] && pass || fail "dangling link $link"
done < <(find "$prefix" -type l)
# Nothing internal: the C++ zone internals (uma_int.h) and the Linux
# primitives (linux/) stay in the source tree; nothing of the kernel
# environment lands in include/ itself, in front of the C library's.
for f in include/uvmem-kernel/vm/uma_int.h include/uvmem-kernel/linux \
	include/vm include/sys/_mutex.h include/sys/mutex.h include/sys/param.h; do
	[ ! -e "$prefix/$f" ] && pass || fail "installed: $f"
done
for pc in uvmem uvmem-illumos uvmem-openbsd uvmem-kernel; do
	grep -qx "prefix=$prefix" "$prefix/lib/pkgconfig/$pc.pc" && pass ||
		fail "$pc.pc does not name $prefix"
done

# Only the C interfaces are exported, by both libraries: FreeBSD's
# (vmem_*), illumos's by its link names (illumos_vmem_*), OpenBSD's
# uvm_km(9) (uvm_km_*, uvmexp, kmem_kernel_map behind kernel_map) and
# names the kernel environment's installed headers use.
# (exported: strong definitions; exported_any: also the unique ones of
# thread-local and inline C++ variables, as curthread's compat_thread_self,
# unique (u) with GCC and weak (W) with clang)
exported() {
	nm -g --defined-only "$@" 2>/dev/null |
		awk 'NF == 3 && $2 ~ /^[TDBR]$/ { print $3 }' | sed 's/@.*//' | sort -u
}
exported_any() {
	nm -g --defined-only "$@" 2>/dev/null |
		awk 'NF == 3 && $2 ~ /^[TDBRuVW]$/ { print $3 }' | sed 's/@.*//' | sort -u
}
kernel_ids=$tmp/kernel_ids
find "$prefix/include/uvmem-kernel" -name '*.h' -exec cat {} + |
	grep -o '\<[A-Za-z_][A-Za-z0-9_]*\>' | sort -u > "$kernel_ids"
for lib in libuvmem.so.1.0.0 libuvmem.a; do
	flags=""
	[ "$lib" = libuvmem.so.1.0.0 ] && flags=-D
	# shellcheck disable=SC2086
	others=$(exported $flags "$prefix/lib/$lib" |
		grep -Ev '^(vmem_|illumos_vmem_|uvm_km_)|^(uvmexp|kmem_kernel_map)$' |
		comm -23 - "$kernel_ids")
	[ -z "$others" ] && pass ||
		fail "$lib exports more than its C interfaces: $(echo $others | head -c 300)"
	for sym in vmem_xalloc illumos_vmem_xalloc uvm_km_alloc uvmexp \
		uma_zcreate uma_zalloc_arg mtx_init mtx_lock_contested cv_wait \
		kern_malloc compat_thread_self kva_alloc; do
		# shellcheck disable=SC2086
		exported_any $flags "$prefix/lib/$lib" | grep -cx $sym >/dev/null && pass ||
			fail "$lib does not export $sym"
	done
done
# The other way: a C function or variable of the library whose name the
# installed kernel headers use is not left local (a program calling it
# would not link).
hidden=$(nm "$prefix/lib/libuvmem.so.1.0.0" |
	awk 'NF == 3 && $2 ~ /^[tdbr]$/ && $3 !~ /^_Z|^_|\./ { print $3 }' |
	sort -u | comm -12 - "$kernel_ids")
[ -z "$hidden" ] && pass ||
	fail "the kernel headers name symbols libuvmem.so keeps local: $(echo $hidden)"
# Every export is under the version node UVMEM_1.0.
unversioned=$(nm -D --defined-only "$prefix/lib/libuvmem.so.1.0.0" |
	awk 'NF == 3 && $2 ~ /^[A-Zu]$/ && $3 !~ /@@UVMEM_1\.0$/ &&
		$3 !~ /^UVMEM_1\.0$/ { print $3 }')
[ -z "$unversioned" ] && pass ||
	fail "exported without the version UVMEM_1.0: $(echo $unversioned | head -c 300)"

# Installing again changes nothing and succeeds.
snapshot() {
	(cd "$1" && find . -type f -exec md5sum {} + | sort &&
		find . -type l -printf '%p -> %l\n' | sort)
}
before=$(snapshot "$prefix")
chmod a-w "$prefix/include/sys/vmem.h"  # as a package manager may leave it
out=$("$install" "$prefix" 2>&1) && pass || fail "second install failed: $out"
[ "$before" = "$(snapshot "$prefix")" ] && pass ||
	fail "a second install changed the tree"

# A PREFIX that cannot be written: a clear error, and nothing written.
touch "$tmp/a-file"
for bad in /dev/null/prefix "$tmp/a-file" "$tmp/a-file/sub"; do
	out=$("$install" "$bad" 2>&1)
	rc=$?
	[ $rc -eq 1 ] && pass || fail "install $bad exited $rc (want 1)"
	case $out in
	"install: cannot create PREFIX $bad"*) pass ;;
	*) fail "install $bad said: $out" ;;
	esac
done
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$tmp/readonly"
	chmod 555 "$tmp/readonly"
	out=$("$install" "$tmp/readonly/p" 2>&1)
	[ $? -eq 1 ] && pass || fail "install into a read-only directory: $out"
	chmod 755 "$tmp/readonly"
fi
out=$("$install" 2>&1)
[ $? -eq 2 ] && pass || fail "install without PREFIX did not print usage"
case $out in *"usage: tools/bazel run //:install -- PREFIX"*) pass ;;
*) fail "no usage: $out" ;; esac

# A relative PREFIX starts where bazel run was started.
mkdir -p "$tmp/caller"
out=$(cd "$runfiles" && BUILD_WORKING_DIRECTORY=$tmp/caller/sub \
	"$install" ./../rel//prefix/ 2>&1) && pass || fail "relative install: $out"
[ -f "$tmp/caller/rel/prefix/lib/libuvmem.a" ] && pass ||
	fail "relative PREFIX not taken from BUILD_WORKING_DIRECTORY"
grep -qx "prefix=$tmp/caller/rel/prefix" \
	"$tmp/caller/rel/prefix/lib/pkgconfig/uvmem.pc" && pass ||
	fail "relative PREFIX not made absolute in uvmem.pc: $(grep ^prefix= \
	"$tmp/caller/rel/prefix/lib/pkgconfig/uvmem.pc")"

# DESTDIR stages the tree; uvmem.pc names the final PREFIX.
out=$(DESTDIR=$tmp/stage "$install" /opt/uvmem 2>&1) && pass ||
	fail "DESTDIR install: $out"
grep -qx "prefix=/opt/uvmem" "$tmp/stage/opt/uvmem/lib/pkgconfig/uvmem.pc" &&
	pass || fail "DESTDIR: uvmem.pc does not name /opt/uvmem"
[ ! -e /opt/uvmem ] && pass || fail "DESTDIR install wrote to /opt/uvmem"

# --- Building against PREFIX, outside Bazel ----------------------------

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
check "pkg-config knows uvmem" pkg-config --exists uvmem
check "uvmem.pc is valid" pkg-config --validate uvmem
cflags=$(pkg-config --cflags uvmem)
cflags=${cflags% }
libs=$(pkg-config --libs uvmem)
static_libs=$(pkg-config --static --libs uvmem | sed 's/-luvmem/-l:libuvmem.a/')
[ "$cflags" = "-I$prefix/include" ] && pass || fail "Cflags: $cflags"
build=$tmp/build
mkdir -p "$build"

# The C program, against the shared library. Word splitting of the flags
# is wanted here, as in a makefile.
# shellcheck disable=SC2086
check "cc prog.c \$(pkg-config --cflags --libs uvmem)" \
	$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror -o "$build/prog" \
	"$here/prog.c" $cflags $libs $SANLIBS
readelf -d "$build/prog" | grep -c 'NEEDED.*\[libuvmem.so.1\]' >/dev/null && pass ||
	fail "prog does not need libuvmem.so.1"
out=$(LD_LIBRARY_PATH=$prefix/lib "$build/prog" 2>&1)
[ "$out" = "uvmem: ok" ] && pass || fail "prog (shared): $out"

# The same, statically linked with libuvmem.a and Libs.private.
# shellcheck disable=SC2086
check "cc prog.c with libuvmem.a" \
	$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror -o "$build/prog_static" \
	"$here/prog.c" $cflags $static_libs $SANLIBS
readelf -d "$build/prog_static" | grep -c 'libuvmem' >/dev/null &&
	fail "prog_static still needs libuvmem.so" || pass
out=$(env -u LD_LIBRARY_PATH "$build/prog_static" 2>&1)
[ "$out" = "uvmem: ok" ] && pass || fail "prog (static): $out"

# The C++ program, through <sys/vmem.hpp>, both ways.
# shellcheck disable=SC2086
check "c++ prog.cc \$(pkg-config --cflags --libs uvmem)" \
	$CXX $SANFLAGS -std=c++17 -Wall -Wextra -Werror -o "$build/progxx" \
	"$here/prog.cc" $cflags $libs
out=$(LD_LIBRARY_PATH=$prefix/lib "$build/progxx" 2>&1)
[ "$out" = "uvmem++: ok" ] && pass || fail "prog.cc (shared): $out"
# shellcheck disable=SC2086
check "c++ prog.cc with libuvmem.a" \
	$CXX $SANFLAGS -std=c++17 -Wall -Wextra -Werror -o "$build/progxx_static" \
	"$here/prog.cc" $cflags $static_libs
out=$("$build/progxx_static" 2>&1)
[ "$out" = "uvmem++: ok" ] && pass || fail "prog.cc (static): $out"

# The foreign interfaces: an illumos-style and an OpenBSD-style C program,
# each with its own include root only (pkg-config uvmem-illumos,
# uvmem-openbsd), shared and static.
for iface in illumos openbsd; do
	pc=uvmem-$iface
	check "pkg-config knows $pc" pkg-config --exists $pc
	check "$pc.pc is valid" pkg-config --validate $pc
	fcflags=$(pkg-config --cflags $pc)
	fcflags=${fcflags% }
	[ "$fcflags" = "-I$prefix/include/$iface" ] && pass ||
		fail "$pc Cflags: $fcflags"
	flibs=$(pkg-config --libs $pc)
	fstatic=$(pkg-config --static --libs $pc | sed 's/-luvmem/-l:libuvmem.a/')
	# shellcheck disable=SC2086
	check "cc prog_$iface.c \$(pkg-config --cflags --libs $pc)" \
		$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror -o "$build/prog_$iface" \
		"$here/prog_$iface.c" $fcflags $flibs $SANLIBS
	out=$(LD_LIBRARY_PATH=$prefix/lib "$build/prog_$iface" 2>&1)
	[ "$out" = "uvmem-$iface: ok" ] && pass ||
		fail "prog_$iface (shared): $out"
	# shellcheck disable=SC2086
	check "cc prog_$iface.c with libuvmem.a" \
		$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror \
		-o "$build/prog_${iface}_static" "$here/prog_$iface.c" \
		$fcflags $fstatic $SANLIBS
	out=$(env -u LD_LIBRARY_PATH "$build/prog_${iface}_static" 2>&1)
	[ "$out" = "uvmem-$iface: ok" ] && pass ||
		fail "prog_$iface (static): $out"
done

# The kernel environment (uvmem-kernel): a zone(9) program and a
# kernel-style program (mutex, condvar, malloc with vmem M_WAITOK), as a
# FreeBSD kernel programmer writes them, shared and static.
check "pkg-config knows uvmem-kernel" pkg-config --exists uvmem-kernel
check "uvmem-kernel.pc is valid" pkg-config --validate uvmem-kernel
kcflags=$(pkg-config --cflags uvmem-kernel)
kcflags=${kcflags% }
[ "$kcflags" = "-I$prefix/include/uvmem-kernel -I$prefix/include" ] && pass ||
	fail "uvmem-kernel Cflags: $kcflags"
klibs=$(pkg-config --libs uvmem-kernel)
kstatic=$(pkg-config --static --libs uvmem-kernel | sed 's/-luvmem/-l:libuvmem.a/')
for prog in zone kernel; do
	# shellcheck disable=SC2086
	check "cc prog_$prog.c \$(pkg-config --cflags --libs uvmem-kernel)" \
		$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror -o "$build/prog_$prog" \
		"$here/prog_$prog.c" $kcflags $klibs $SANLIBS
	out=$(LD_LIBRARY_PATH=$prefix/lib "$build/prog_$prog" 2>&1)
	[ "$out" = "uvmem-$prog: ok" ] && pass || fail "prog_$prog (shared): $out"
	# shellcheck disable=SC2086
	check "cc prog_$prog.c with libuvmem.a" \
		$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror \
		-o "$build/prog_${prog}_static" "$here/prog_$prog.c" \
		$kcflags $kstatic $SANLIBS
	out=$(env -u LD_LIBRARY_PATH "$build/prog_${prog}_static" 2>&1)
	[ "$out" = "uvmem-$prog: ok" ] && pass || fail "prog_$prog (static): $out"
done
# The same headers compile as C++17 (the zone program, cast for C++).
# shellcheck disable=SC2086
check "c++ -x c++ prog_zone.c" $CXX $SANFLAGS -std=c++17 -Wall -Wextra -Werror \
	-fsyntax-only -x c++ "$here/prog_zone.c" $kcflags

# Run with no environment variable: the library found through the run
# path that README.md's install section gives (libdir, from pkg-config).
libdir=$(pkg-config --variable=libdir uvmem)
# shellcheck disable=SC2086
check "cc prog_kernel.c -Wl,-rpath,\$(pkg-config --variable=libdir uvmem)" \
	$CC $SANFLAGS -std=c11 -Wall -Wextra -Werror -o "$build/prog_rpath" \
	"$here/prog_kernel.c" $kcflags $klibs "-Wl,-rpath,$libdir" $SANLIBS
out=$(env -i "$build/prog_rpath" 2>&1)
[ "$out" = "uvmem-kernel: ok" ] && pass || fail "prog_kernel with rpath: $out"

# A program's own mtx_init(), cv_wait() do not replace the library's.
# shellcheck disable=SC2086
check "cc prog_interpose.c" $CC $SANFLAGS -std=c11 -Wall -Wextra -Werror \
	-o "$build/prog_interpose" "$here/prog_interpose.c" $cflags $libs $SANLIBS
out=$(LD_LIBRARY_PATH=$prefix/lib "$build/prog_interpose" 2>&1)
[ "$out" = "uvmem-interpose: ok" ] && pass || fail "prog_interpose: $out"

# --- The installed tools -----------------------------------------------

out=$("$prefix/bin/vmemstat" --seconds=0.1 --scenario=ids \
	--svg="$build/ids.svg" 2>&1)
case $out in
*"all allocations freed and arenas destroyed"*) pass ;;
*) fail "bin/vmemstat: $out" ;;
esac
grep -q '<svg ' "$build/ids.svg" && pass || fail "bin/vmemstat wrote no SVG"
out=$("$prefix/bin/vmem_audit" --help 2>&1)
case $out in
"usage: vmem_audit"*) pass ;;
*) fail "bin/vmem_audit --help: $out" ;;
esac

# --- Manual pages --------------------------------------------------------

pages=0
while read -r page; do
	pages=$((pages + 1))
	# Nothing above style level (cross-references to pages that are not
	# installed on this machine are style).
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ] && pass ||
		fail "mandoc -Tlint $page (exit $rc): $out"
	rendered=$(mandoc -Tascii "$page" 2> "$build/mandoc.err")
	[ -n "$rendered" ] && [ ! -s "$build/mandoc.err" ] && pass ||
		fail "mandoc -Tascii $page: $(cat "$build/mandoc.err")"
	rendered=$(MANPAGER=cat MANWIDTH=80 man -l "$page" 2> "$build/man.err")
	[ -n "$rendered" ] && ! grep -q . "$build/man.err" && pass ||
		fail "man -l $page: $(cat "$build/man.err")"
done < <(find "$prefix/share/man" -name '*.[0-9]' | sort)
[ "$pages" -ge 120 ] && pass || fail "only $pages manual pages installed"
# man finds a page for every function installed for users: each function
# libuvmem exports, less the internal halves the headers' macros and
# inline functions call, and the inline and macro ones by their names.
internal='^(kern_malloc|kern_free|panic_func|vpanic_func|sysinit_register|sysctl_register_int|compat_ncpus|witness_warn|mtx_lock_contested|mtx_unlock_contested|mtx_recursed|mtx_not_owner|mtx_assert_fail|kmem_map_alloc|kmem_map_free|kmem_map_suballoc)$'
functions=$(nm -D --defined-only "$prefix/lib/libuvmem.so.1.0.0" |
	awk 'NF == 3 && $2 == "T" { print $3 }' | sed 's/@.*//' |
	grep -Ev "$internal" | sort -u)
[ "$(echo "$functions" | wc -l)" -ge 90 ] && pass ||
	fail "only $(echo "$functions" | wc -l) exported functions found"
for name in $functions mtx_lock mtx_unlock mtx_assert mtx_owned malloc free \
	uma_zalloc uma_zfree panic KASSERT MPASS SYSINIT SYSCTL_INT \
	MALLOC_DEFINE WITNESS_WARN DB_SHOW_COMMAND uma zone uvm_km \
	uvmem_kernel illumos_vmem libuvmem SDT_PROVIDER_DEFINE SDT_PROBE_DEFINE \
	SDT_PROBE_DECLARE SDT_PROBE_ENABLED SDT_PROBE; do
	man -M "$prefix/share/man" -w "$name" > /dev/null 2>&1 && pass ||
		fail "man -M PREFIX/share/man -w $name finds no page"
done
# illumos's interface does not shadow FreeBSD's vmem_create.
page=$(man -M "$prefix/share/man" -w vmem_create 2>&1)
[ "$(readlink -f "$page")" = "$prefix/share/man/man3/vmem.3" ] && pass ||
	fail "man vmem_create: $page, not vmem.3"
page=$(man -M "$prefix/share/man" -w illumos_vmem_create 2>&1)
[ "$(readlink -f "$page")" = "$prefix/share/man/man3/illumos_vmem.3" ] && pass ||
	fail "man illumos_vmem_create: $page, not illumos_vmem.3"
# Every cross reference names an installed page, or the text says whose
# page it is (FreeBSD's, illumos's, OpenBSD's, or the C library's and
# tools' of section 1 to 3 and 8 on this system).
while read -r page xr sec; do
	[ -e "$prefix/share/man/man${sec%[A-Za-z]}/$xr.$sec" ] && { pass; continue; }
	case "$xr.$sec" in
	abort.3 | printf.3 | _exit.2 | pkg-config.1 | vmstat.8 | vmem.9 | \
	vmem_create.9F | vmem_alloc.9F | vmem_add.9F | vmem_contains.9F | \
	uvm_map.9) pass ;;
	*) fail "$page: .Xr $xr $sec names no installed page" ;;
	esac
done < <(find "$prefix/share/man" -type f -name '*.[0-9]' -exec \
	awk '/^\.Xr / { print FILENAME, $2, $3 }' {} + | sort -u)

# The links name pages that say what they are about.
# (-Tascii makes bold by overstriking: drop the backspaces first.)
rendered=$(mandoc -Tascii "$prefix/share/man/man3/vmem_walk_segments.3" |
	sed 's/.\x08//g')
case $rendered in *"vmem_walk_segments("*) pass ;; *) false ;; esac ||
	fail "vmem_walk_segments(3) does not lead to its description"

echo "install_test: $((checks - failures)) passed, $failures failed (sanitizer: $sanitize)"
[ "$failures" -eq 0 ]
