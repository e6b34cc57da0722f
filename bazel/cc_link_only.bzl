"""cc_link_only: the link inputs of C/C++ libraries without their headers."""

def _cc_link_only_impl(ctx):
    merged = cc_common.merge_cc_infos(
        cc_infos = [dep[CcInfo] for dep in ctx.attr.deps],
    )
    return [CcInfo(linking_context = merged.linking_context)]

# A library that links deps (and everything they link) into its dependents
# but puts none of their include paths on the dependents' command lines:
# for an interface whose headers must be the only ones of their names that
# a caller sees (illumos's <sys/vmem.h> is not FreeBSD's).
cc_link_only = rule(
    implementation = _cc_link_only_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
    },
)
