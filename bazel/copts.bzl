"""Compiler flags shared by every target of the project (one place)."""

# Our own code: warnings are errors.
VMEM_COPTS = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

# kern/ is C compiled as C++; FreeBSD builds it without -Wsign-compare.
# Quantum-cache zone names are cut to 16 bytes on purpose, as upstream.
VMEM_KERN_COPTS = VMEM_COPTS + [
    "-Wno-sign-compare",
    "-Wno-format-truncation",
    # clang has no -Wformat-truncation; GCC ignores unknown -Wno- options.
    "-Wno-unknown-warning-option",
    # The entry points call one another (vmem_alloc() -> vmem_xalloc(),
    # vmem_xfree() -> vmem_roundup_size()): exported from libuvmem.so, by
    # default each such call goes through the PLT and is never inlined, in
    # case another library interposes the symbol. Nothing may: call them
    # directly.
    "-fno-semantic-interposition",
]

# The kernel file keeps FreeBSD's debugging code compiled in. Boundary tags
# need no kernel address space of their own (malloc'd slabs), as on
# platforms with a direct map: vmem_bt_alloc() is compiled out.
VMEM_KERN_DEFINES = [
    "DIAGNOSTIC",
    "DDB",
    "UMA_USE_DMAP",
]

# C sources (the C-ABI smoke test).
VMEM_CONLYOPTS = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
]

# Tests and tools: same warnings, but GoogleTest macros trip a few.
VMEM_TEST_COPTS = VMEM_COPTS + [
    "-Wno-sign-compare",
]
