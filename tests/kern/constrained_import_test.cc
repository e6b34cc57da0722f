// Imports that can serve the request (kern/PORTING.md entry 40): an arena
// stacked with vmem_import_arena() or vmem_set_cimport() asks its parent
// for a span that meets the request's window, alignment, phase and
// boundary, so that one import serves it. Imports are counted
// (vs_imports), not timed.
#include <errno.h>

#include <vector>

#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include "gtest/gtest.h"

namespace {

constexpr vmem_addr_t kBase = 0x40000000;
constexpr vmem_size_t kGiB = 1ul << 30, kMiB = 1ul << 20, kPage = 4096;
constexpr vmem_size_t kImportQuantum = 256 * 1024;

vmem_stats Stats(vmem_t *vm) {
  vmem_stats st;
  vmem_get_stats(vm, &st);
  return st;
}

struct Seg {
  vmem_addr_t start;
  vmem_size_t size;
};

void Collect(void *arg, vmem_addr_t start, vmem_size_t size, int) {
  static_cast<std::vector<Seg> *>(arg)->push_back({start, size});
}

std::vector<Seg> Walk(vmem_t *vm, int type) {
  std::vector<Seg> segs;
  vmem_walk_segments(vm, type, &Collect, &segs);
  return segs;
}

class ConstrainedImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parent_ = vmem_create("parent", kBase, kGiB, kPage, 0, M_WAITOK);
    child_ = vmem_create("child", 0, 0, kPage, 0, M_WAITOK);
    vmem_set_import(child_, vmem_import_arena, vmem_release_arena, parent_,
                    kImportQuantum);
  }
  void TearDown() override {
    vmem_destroy(child_);
    EXPECT_EQ(vmem_size(parent_, VMEM_ALLOC), 0u);
    vmem_destroy(parent_);
  }

  vmem_t *parent_ = nullptr;
  vmem_t *child_ = nullptr;
};

TEST_F(ConstrainedImportTest, OneImportServesAWindowedRequest) {
  const vmem_addr_t lo = kBase + kGiB - kMiB, hi = kBase + kGiB - 1;
  vmem_addr_t a;
  ASSERT_EQ(
      vmem_xalloc(child_, kPage, 0, 0, 0, lo, hi, M_BESTFIT | M_NOWAIT, &a), 0);
  EXPECT_EQ(a, lo);
  EXPECT_EQ(Stats(child_).vs_imports, 1u);
  // The one span, of the import quantum, at the bottom of the window.
  const std::vector<Seg> spans = Walk(child_, VMEM_WALK_SPAN);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].start, lo);
  EXPECT_EQ(spans[0].size, kImportQuantum);
  // The highest fit imports at the top.
  vmem_addr_t b;
  ASSERT_EQ(vmem_xalloc(child_, kPage, 0, 0, 0, lo + kImportQuantum, hi,
                        M_FIRSTFIT | M_ENDALLOC | M_NOWAIT, &b),
            0);
  EXPECT_EQ(b, hi + 1 - kPage);
  EXPECT_EQ(Stats(child_).vs_imports, 2u);
  vmem_verify(child_);
  vmem_verify(parent_);
  vmem_xfree(child_, a, kPage);
  vmem_xfree(child_, b, kPage);
  EXPECT_EQ(Walk(child_, VMEM_WALK_SPAN).size(), 0u);
}

TEST_F(ConstrainedImportTest, AlignedAndBoundedRequestsImportOnce) {
  // Aligned to 1 MiB at phase 64 KiB, not crossing 2 MiB: the span the
  // parent hands out starts where the request can.
  vmem_addr_t a;
  ASSERT_EQ(vmem_xalloc(child_, 128 * 1024, kMiB, 64 * 1024, 2 * kMiB,
                        VMEM_ADDR_MIN, VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &a),
            0);
  EXPECT_EQ(a % kMiB, 64 * 1024u);
  EXPECT_EQ(a / (2 * kMiB), (a + 128 * 1024 - 1) / (2 * kMiB));
  EXPECT_EQ(Stats(child_).vs_imports, 1u);
  // Not padded with twice the alignment, as an upstream import is.
  EXPECT_EQ(vmem_size(parent_, VMEM_ALLOC), kImportQuantum);
  vmem_xfree(child_, a, 128 * 1024);
}

TEST_F(ConstrainedImportTest, AWindowBelowTheImportQuantumGetsASpanThatFits) {
  const vmem_addr_t lo = kBase + 3 * kMiB + kPage;
  vmem_addr_t a;
  ASSERT_EQ(vmem_xalloc(child_, 2 * kPage, 0, 0, 0, lo, lo + 4 * kPage - 1,
                        M_BESTFIT | M_NOWAIT, &a),
            0);
  EXPECT_EQ(a, lo);
  EXPECT_EQ(Stats(child_).vs_imports, 1u);
  EXPECT_EQ(vmem_size(parent_, VMEM_ALLOC), 2 * kPage);
  vmem_xfree(child_, a, 2 * kPage);
}

TEST_F(ConstrainedImportTest, AWindowTheParentCannotServeFailsCleanly) {
  // The parent's top MiB, taken.
  vmem_addr_t top;
  ASSERT_EQ(vmem_xalloc(parent_, kMiB, 0, 0, 0, kBase + kGiB - kMiB,
                        VMEM_ADDR_MAX, M_BESTFIT | M_NOWAIT, &top),
            0);
  vmem_addr_t a;
  EXPECT_EQ(vmem_xalloc(child_, kPage, 0, 0, 0, kBase + kGiB - kMiB,
                        kBase + kGiB - 1, M_BESTFIT | M_NOWAIT, &a),
            ENOMEM);
  EXPECT_EQ(Stats(child_).vs_imports, 0u);
  EXPECT_EQ(vmem_size(child_, VMEM_ALLOC | VMEM_FREE), 0u);
  EXPECT_EQ(vmem_size(parent_, VMEM_ALLOC), kMiB);
  vmem_xfree(parent_, top, kMiB);
}

// A cimport function of the caller's own is given the constraints.
struct Recorder {
  vmem_t *parent;
  std::vector<vmem_constraints> seen;
  std::vector<vmem_size_t> asked;
};

int RecordingImport(void *arg, vmem_size_t *sizep,
                    const struct vmem_constraints *vc, int flags,
                    vmem_addr_t *addrp) {
  Recorder *r = static_cast<Recorder *>(arg);
  r->seen.push_back(*vc);
  r->asked.push_back(*sizep);
  return vmem_cimport_arena(r->parent, sizep, vc, flags, addrp);
}

void ReleaseToParent(void *arg, vmem_addr_t addr, vmem_size_t size) {
  vmem_release_arena(static_cast<Recorder *>(arg)->parent, addr, size);
}

TEST_F(ConstrainedImportTest, CimportFunctionsAreGivenTheConstraints) {
  Recorder r{parent_, {}, {}};
  vmem_t *vm = vmem_create("cimport", 0, 0, kPage, 0, M_WAITOK);
  vmem_set_cimport(vm, &RecordingImport, &ReleaseToParent, &r, kImportQuantum);
  vmem_addr_t a;
  const vmem_addr_t lo = kBase + 5 * kMiB, hi = kBase + 9 * kMiB - 1;
  ASSERT_EQ(vmem_xalloc(vm, 3 * kPage, 4 * kPage, kPage, 8 * kPage, lo, hi,
                        M_FIRSTFIT | M_NOWAIT, &a),
            0);
  ASSERT_EQ(r.seen.size(), 1u);
  const vmem_constraints &vc = r.seen[0];
  EXPECT_EQ(vc.vc_size, 3 * kPage);
  EXPECT_EQ(vc.vc_align, 4 * kPage);
  EXPECT_EQ(vc.vc_phase, kPage);
  EXPECT_EQ(vc.vc_nocross, 8 * kPage);
  EXPECT_EQ(vc.vc_minaddr, lo);
  EXPECT_EQ(vc.vc_maxaddr, hi);
  EXPECT_EQ(r.asked[0], kImportQuantum);
  EXPECT_EQ(a % (4 * kPage), kPage);
  EXPECT_GE(a, lo);
  vmem_xfree(vm, a, 3 * kPage);
  vmem_destroy(vm);
}

}  // namespace
