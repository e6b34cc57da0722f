"""A static libuvmem.a with the contents and the hiding of libuvmem.so.

Bazel 4 has no cc_static_library. This rule takes everything a cc_library
links (its transitive archives, as CcInfo lists them), links it into one
relocatable object with `ld -r`, pulls in the members of the system static
archives named by the libraries' link options whose names start with one of
`absorb` (Abseil's, so that users of the archive need not link Abseil), and
makes local every strong global symbol that the version script does not
export. The archive then holds one object whose only global definitions are
the library's C interface (plus the weak definitions of inline C++ code,
which the linker merges), as the shared library's version script does.
Users link it with the C++ runtime and -lpthread (pkg-config's
Libs.private).
"""

def _static_archive_impl(ctx):
    whole = []
    normal = []
    flags = []
    for linker_input in ctx.attr.lib[CcInfo].linking_context.linker_inputs.to_list():
        flags.extend(linker_input.user_link_flags)
        for lib in linker_input.libraries:
            archive = lib.pic_static_library or lib.static_library
            if archive == None:
                continue
            if lib.alwayslink:
                whole.append(archive)
            else:
                normal.append(archive)
    absorbed = []
    for flag in flags:
        if not flag.startswith("-l"):
            continue
        name = flag[2:]
        for prefix in ctx.attr.absorb:
            if name.startswith(prefix) and name not in absorbed:
                absorbed.append(name)

    out = ctx.outputs.out
    ctx.actions.run_shell(
        outputs = [out],
        inputs = whole + normal + [ctx.file.version_script],
        arguments = [
            out.path,
            ctx.file.version_script.path,
            " ".join([f.path for f in whole]),
            " ".join([f.path for f in normal]),
            " ".join(absorbed),
        ],
        command = """
set -eu
out=$1 script=$2 whole=$3 normal=$4 absorbed=$5
work=$out.tmp
rm -rf "$work"
mkdir -p "$work"
system=""
for name in $absorbed; do
    path=$(cc -print-file-name=lib$name.a)
    case $path in
    /*) system="$system $path" ;;
    *) echo "static_archive: no static lib$name.a for -l$name" >&2; exit 1 ;;
    esac
done
# shellcheck disable=SC2086
ld -r -o "$work/uvmem.o" --whole-archive $whole --no-whole-archive \
    --start-group $normal $system --end-group
# The exported names: the global: block of the version script.
sed -n '/global:/,/local:/s/^[[:space:]]*\\([A-Za-z_][A-Za-z0-9_]*\\);.*/\\1/p' \
    "$script" | sort -u > "$work/exports"
# Strong global definitions that are not exported become local.
nm -g --defined-only "$work/uvmem.o" |
    awk '$2 ~ /^[TDBRGS]$/ { print $3 }' | sort -u |
    comm -23 - "$work/exports" > "$work/hidden"
objcopy --localize-symbols="$work/hidden" "$work/uvmem.o"
missing=$(nm -g --defined-only "$work/uvmem.o" | awk '{ print $3 }' |
    sort -u | comm -13 - "$work/exports")
if [ -n "$missing" ]; then
    echo "static_archive: not defined: $missing" >&2
    exit 1
fi
rm -f "$out"
ar rcsD "$out" "$work/uvmem.o"
rm -rf "$work"
""",
        use_default_shell_env = True,
        mnemonic = "StaticArchive",
        progress_message = "Linking static archive %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]))]

static_archive = rule(
    implementation = _static_archive_impl,
    attrs = {
        "lib": attr.label(mandatory = True, providers = [CcInfo]),
        "version_script": attr.label(mandatory = True, allow_single_file = True),
        "absorb": attr.string_list(default = ["absl_"]),
        "out": attr.output(mandatory = True),
    },
    doc = "One-object static archive of lib, hiding what version_script hides.",
)
