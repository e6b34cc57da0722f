// Misuse is a panic naming the function, the arena and the values:
// "panic: <function>: ... arena <name> ... <values>". One table lists every
// misuse and the message it must produce (docs/misuse.md lists the same).
#include <stdio.h>

#include <string>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"

namespace {

// Each misuse runs in a death-test child on a fresh arena of its own.
vmem_t *Arena(const char *name, vmem_size_t quantum = 0x10) {
  vmem_t *vm = vmem_create(name, 0x1000, 0x10000, quantum, 0, M_WAITOK);
  if (vm == nullptr) abort();
  return vm;
}

vmem_addr_t Alloc(vmem_t *vm, vmem_size_t size) {
  vmem_addr_t addr;
  if (vmem_xalloc(vm, size, 0, 0, 0, VMEM_ADDR_MIN, VMEM_ADDR_MAX,
                  M_BESTFIT | M_WAITOK, &addr) != 0)
    abort();
  return addr;
}

int XAlloc(vmem_t *vm, vmem_size_t size, vmem_size_t align, vmem_size_t phase,
           vmem_size_t nocross, vmem_addr_t minaddr, vmem_addr_t maxaddr,
           int flags = M_BESTFIT | M_NOWAIT) {
  vmem_addr_t addr;
  return vmem_xalloc(vm, size, align, phase, nocross, minaddr, maxaddr, flags,
                     &addr);
}

// Allocates from an arena (quantum 0x1000) whose import function returns a
// span at addr, whatever it is asked for.
void AllocFromSpanAt(const char *name, vmem_addr_t addr) {
  static vmem_addr_t span;
  span = addr;
  vmem_t *vm = vmem_create(name, 0, 0, 0x1000, 0, M_WAITOK);
  vmem_set_import(
      vm,
      [](void *arg, vmem_size_t, int, vmem_addr_t *addrp) {
        *addrp = *static_cast<vmem_addr_t *>(arg);
        return 0;
      },
      nullptr, &span, 0x10000);
  vmem_addr_t a;
  vmem_alloc(vm, 0x1000, M_FIRSTFIT | M_NOWAIT, &a);
}

struct Misuse {
  const char *name;     // test name
  void (*run)();        // must panic
  const char *message;  // regex the panic's stderr must match
};

// clang-format off
const Misuse kMisuses[] = {
    {"DoubleFree",
     [] {
       vmem_t *vm = Arena("m-dfree");
       vmem_addr_t a = Alloc(vm, 0x40);
       Alloc(vm, 0x40);  // keeps the first from merging into the span
       vmem_xfree(vm, a, 0x40);
       vmem_verify(vm);
       vmem_xfree(vm, a, 0x40);
     },
     "panic: vmem_xfree: arena m-dfree: address 0x1000 \\(size 0x40\\) is "
     "not allocated: double free or unknown address"},
    {"UnknownAddress",
     [] {
       vmem_t *vm = Arena("m-unknown");
       vmem_addr_t a = Alloc(vm, 0x40);
       vmem_xfree(vm, a + 0x10, 0x30);  // inside an allocation
     },
     "panic: vmem_xfree: arena m-unknown: address 0x1010 \\(size 0x30\\) is "
     "not allocated"},
    {"UnknownAddressOutsideTheArena",
     [] {
       vmem_t *vm = Arena("m-outside");
       vmem_xfree(vm, 0x900000, 0x40);
     },
     "panic: vmem_xfree: arena m-outside: address 0x900000 \\(size 0x40\\) "
     "is not allocated"},
    {"WrongSizeOnFree",
     [] {
       vmem_t *vm = Arena("m-size");
       vmem_addr_t a = Alloc(vm, 0x40);
       vmem_xfree(vm, a, 0x80);
     },
     "panic: vmem_xfree: arena m-size: address 0x1000 was allocated with "
     "size 0x40, freed with size 0x80"},
    {"FreeWithSizeZero",
     [] {
       vmem_t *vm = Arena("m-free0");
       vmem_addr_t a = Alloc(vm, 0x40);
       vmem_free(vm, a, 0);
     },
     "panic: vmem_free: arena m-free0: address 0x1000 freed with size 0"},
    {"AllocSizeZero",
     [] {
       vmem_t *vm = Arena("m-alloc0");
       vmem_addr_t a;
       vmem_alloc(vm, 0, M_BESTFIT | M_NOWAIT, &a);
     },
     "panic: vmem_alloc: arena m-alloc0: size 0"},
    {"XallocSizeZero",
     [] { XAlloc(Arena("m-xalloc0"), 0, 0, 0, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-xalloc0: size 0"},
    {"AlignNotPowerOfTwo",
     [] { XAlloc(Arena("m-align3"), 0x40, 0x30, 0, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-align3: align 0x30 is not a power of two "
     "multiple of the quantum 0x10"},
    {"AlignNotQuantumMultiple",
     [] { XAlloc(Arena("m-align8"), 0x40, 0x8, 0, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-align8: align 0x8 is not a power of two "
     "multiple of the quantum 0x10"},
    {"PhaseNotQuantumMultiple",
     [] { XAlloc(Arena("m-phase8"), 0x40, 0x100, 0x8, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-phase8: phase 0x8 is not a multiple of "
     "the quantum 0x10"},
    {"PhaseNotBelowAlign",
     [] { XAlloc(Arena("m-phase"), 0x40, 0x100, 0x100, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-phase: phase 0x100 is not below align "
     "0x100"},
    {"NocrossNotPowerOfTwo",
     [] { XAlloc(Arena("m-nocross3"), 0x40, 0, 0, 0x300, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-nocross3: nocross 0x300 is not a power of "
     "two multiple of the quantum 0x10"},
    {"NocrossSmallerThanSize",
     [] { XAlloc(Arena("m-nocross"), 0x400, 0, 0, 0x100, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-nocross: nocross 0x100 is smaller than "
     "size 0x400"},
    {"MinaddrAboveMaxaddr",
     [] { XAlloc(Arena("m-minmax"), 0x40, 0, 0, 0, 0x8000, 0x2000); },
     "panic: vmem_xalloc: arena m-minmax: minaddr 0x8000 is above maxaddr "
     "0x2000"},
    {"NextFitWithMinaddr",
     [] { XAlloc(Arena("m-nextmin"), 0x40, 0, 0, 0, 0x2000, VMEM_ADDR_MAX,
                 M_NEXTFIT | M_NOWAIT); },
     "panic: vmem_xalloc: arena m-nextmin: M_NEXTFIT takes no "
     "minaddr/maxaddr \\(0x2000, 0xffffffffffffffff\\)"},
    {"NoWaitAndWaitOk",
     [] { XAlloc(Arena("m-nowait"), 0x40, 0, 0, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT | M_WAITOK); },
     "panic: vmem_xalloc: arena m-nowait: M_NOWAIT and M_WAITOK together "
     "\\(flags 0x2802\\)"},
    {"NoFitStrategy",
     [] {
       vmem_addr_t a;
       vmem_alloc(Arena("m-nofit"), 0x40, M_NOWAIT, &a);
     },
     "panic: vmem_alloc: arena m-nofit: flags 0x800 name no single fit "
     "strategy"},
    {"TwoFitStrategies",
     [] { XAlloc(Arena("m-twofit"), 0x40, 0, 0, 0, VMEM_ADDR_MIN,
                 VMEM_ADDR_MAX, M_BESTFIT | M_FIRSTFIT | M_NOWAIT); },
     "panic: vmem_xalloc: arena m-twofit: flags 0x3800 name no single fit "
     "strategy"},
    {"DestroyWithLiveAllocations",
     [] {
       vmem_t *vm = Arena("m-destroy");
       Alloc(vm, 0x40);
       Alloc(vm, 0x100);
       vmem_destroy(vm);
     },
     "panic: vmem_destroy1: arena m-destroy destroyed with 2 allocation\\(s\\) "
     "of 320 byte\\(s\\) live"},
    {"DestroyWithLiveCachedAllocation",
     [] {
       vmem_t *vm = vmem_create("m-qdestroy", 0x1000, 0x10000, 0x10, 0x40,
                                M_WAITOK);
       vmem_addr_t a;
       if (vmem_alloc(vm, 0x20, M_BESTFIT | M_WAITOK, &a) != 0) abort();
       vmem_destroy(vm);
     },
     "panic: [a-z_0-9]+: .*arena m-qdestroy.*destroyed with [0-9]+ "
     "allocation"},
    {"SizeBadTypemask",
     [] { vmem_size(Arena("m-typemask"), 0x4); },
     "panic: vmem_size: arena m-typemask: bad typemask 0x4"},
    {"AddSpanWrapsPastAddrMax",
     [] { vmem_add(Arena("m-wrap"), VMEM_ADDR_MAX - 0xff, 0x200, M_WAITOK); },
     "panic: vmem_add: arena m-wrap: span at 0xffffffffffffff00 of size "
     "0x200 is empty or wraps"},
    {"AddSpanNotQuantumMultiple",
     [] { vmem_add(Arena("m-addq"), 0x100000, 0x108, M_WAITOK); },
     "panic: vmem_add: arena m-addq: span size 0x108 is not a multiple of "
     "the quantum 0x10"},
    {"AddSpanStartNotQuantumMultiple",
     [] {
       // A caller written for illumos, which accepts such a span.
       vmem_t *vm = vmem_create("m-addstart", 0, 0, 4096, 0, M_WAITOK);
       vmem_add(vm, 0x100010, 65536, M_WAITOK);
     },
     "panic: vmem_add: arena m-addstart: span start 0x100010 is not a "
     "multiple of the quantum 0x1000"},
    {"CreateBaseNotQuantumMultiple",
     [] { vmem_create("m-base", 0x1008, 0x1000, 0x10, 0, M_WAITOK); },
     "panic: vmem_add: arena m-base: span start 0x1008 is not a multiple "
     "of the quantum 0x10"},
    {"ImportedSpanNotQuantumAligned",
     [] { AllocFromSpanAt("m-impstart", 0x100010); },
     "panic: vmem_import: arena m-impstart: imported span at 0x100010 of "
     "size 0x10000 is not aligned to the quantum 0x1000 or wraps"},
    {"ImportedSpanWraps",
     [] { AllocFromSpanAt("m-impwrap", VMEM_ADDR_MAX - 0xfff); },
     "panic: vmem_import: arena m-impwrap: imported span at "
     "0xfffffffffffff000 of size 0x10000 is not aligned to the quantum "
     "0x1000 or wraps"},
    {"AddSpanOverlapsASpan",
     [] { vmem_add(Arena("m-overlap"), 0x10ff0, 0x100, M_WAITOK); },
     "panic: vmem_add: arena m-overlap: span at 0x10ff0 of size 0x100 "
     "overlaps the span at 0x1000 of size 0x10000"},
    {"AddNoWaitAndWaitOk",
     [] { vmem_add(Arena("m-addflags"), 0x100000, 0x100,
                   M_NOWAIT | M_WAITOK); },
     "panic: vmem_add: arena m-addflags: M_NOWAIT and M_WAITOK together "
     "\\(flags 0x802\\)"},
    {"ImportQuantumZero",
     [] { vmem_set_import(vmem_create("m-impq", 0, 0, 0x10, 0, M_WAITOK),
                          nullptr, nullptr, nullptr, 0); },
     "panic: vmem_set_import: arena m-impq: import quantum 0 is not a "
     "non-zero multiple of the quantum 0x10"},
    {"ImportQuantumNotQuantumMultiple",
     [] { vmem_set_import(vmem_create("m-impq8", 0, 0, 0x10, 0, M_WAITOK),
                          nullptr, nullptr, nullptr, 0x18); },
     "panic: vmem_set_import: arena m-impq8: import quantum 0x18 is not a "
     "non-zero multiple of the quantum 0x10"},
    {"RoundedSizeOverflows",
     [] { XAlloc(Arena("m-overflow"), VMEM_ADDR_MAX - 2, 0, 0, 0,
                 VMEM_ADDR_MIN, VMEM_ADDR_MAX); },
     "panic: vmem_xalloc: arena m-overflow: size 0xfffffffffffffffd "
     "overflows when rounded to the quantum 0x10"},
    {"QuantumNotPowerOfTwo",
     [] { vmem_create("m-quantum", 0, 0, 0x30, 0, M_WAITOK); },
     "panic: vmem_init: arena m-quantum: quantum 0x30 is not a power of two"},
    {"QcacheMaxNotQuantumMultiple",
     [] { vmem_create("m-qcmax", 0, 0, 0x10, 0x18, M_WAITOK); },
     "panic: qc_init: arena m-qcmax: qcache_max 0x18 is not a multiple of "
     "the quantum 0x10"},
    {"SetImportOnNonEmptyArena",
     [] { vmem_set_import(Arena("m-setimp"), nullptr, nullptr, nullptr,
                          0x1000); },
     "panic: vmem_set_import: .*arena m-setimp.*non-empty"},
};
// clang-format on

class MisuseTest : public ::testing::TestWithParam<Misuse> {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_P(MisuseTest, Panics) {
  const Misuse &m = GetParam();
  EXPECT_DEATH(m.run(), m.message);
}

INSTANTIATE_TEST_SUITE_P(Table, MisuseTest, ::testing::ValuesIn(kMisuses),
                         [](const ::testing::TestParamInfo<Misuse> &info) {
                           return std::string(info.param.name);
                         });

// The handler sees the same message, without the "panic: " prefix.
void RecordingHandler(const char *message) {
  fprintf(stderr, "handler got <%s>\n", message);
}

TEST(MisuseHandlerTest, HandlerGetsTheMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        vmem_set_panic_handler(&RecordingHandler);
        vmem_size(Arena("m-handler"), 0x8);
      },
      "handler got <vmem_size: arena m-handler: bad typemask 0x8>");
}

}  // namespace
