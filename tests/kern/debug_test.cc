// The debugger-style printers: vmem_db_show() ("vmem", "all vmem",
// "vmemdump", "all vmemdump"), vmem_whatis(), vmem_print() and
// vmem_printall().
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/vmem.h>
#include <sys/vmem_ext.h>

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

using ::testing::HasSubstr;

namespace {

// A printf-like collector for the pr/fn callbacks.
std::mutex collected_mu;
std::string collected;

int collect(const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  std::lock_guard<std::mutex> lock(collected_mu);
  collected += buf;
  return n;
}

std::string TakeCollected() {
  std::lock_guard<std::mutex> lock(collected_mu);
  std::string out;
  out.swap(collected);
  return out;
}

// Runs a show command into a memory stream; returns (error, output).
std::pair<int, std::string> ShowCmd(const char *command, vmem_addr_t addr,
                                    int have_addr) {
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  EXPECT_NE(f, nullptr);
  int error = vmem_db_show(command, addr, have_addr, f);
  fclose(f);
  std::string out(buf, len);
  free(buf);
  return {error, out};
}

std::string Show(const char *command, vmem_t *vm) {
  auto r = ShowCmd(command, (vmem_addr_t)vm, 1);
  EXPECT_EQ(r.first, 0) << command;
  return r.second;
}

// The per-order table of "show vmem": row size -> (inuse, size, free, size).
typedef std::tuple<size_t, size_t, size_t, size_t> Row;
std::map<size_t, Row> Table(const std::string &out) {
  std::map<size_t, Row> table;
  size_t pos = out.find("inuse\tsize\t\tfree\tsize\n");
  if (pos == std::string::npos) return table;
  pos = out.find('\n', pos) + 1;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    if (eol == std::string::npos) eol = out.size();
    std::string line = out.substr(pos, eol - pos);
    pos = eol + 1;
    size_t rowsize, ut, us, ft, fs;
    if (sscanf(line.c_str(), " %zu %zu %zu %zu %zu", &rowsize, &ut, &us, &ft,
               &fs) == 5)
      table[rowsize] = Row(ut, us, ft, fs);
  }
  return table;
}

class DebugTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vm_ = vmem_create("dbg-arena", 0x100000, 0x1000, 16, 0, M_WAITOK);
    ASSERT_NE(vm_, nullptr);
    // 1 quantum, twice 3 quanta, 32 quanta: [a][b][c][d][free 0xd90].
    ASSERT_EQ(vmem_alloc(vm_, 0x10, M_BESTFIT | M_NOWAIT, &a_), 0);
    ASSERT_EQ(vmem_alloc(vm_, 0x30, M_BESTFIT | M_NOWAIT, &b_), 0);
    ASSERT_EQ(vmem_alloc(vm_, 0x2d, M_BESTFIT | M_NOWAIT, &c_), 0);
    ASSERT_EQ(vmem_alloc(vm_, 0x200, M_BESTFIT | M_NOWAIT, &d_), 0);
    vmem_verify(vm_);
    other_ = vmem_create("dbg-other", 0x900000, 0x100, 1, 0, M_WAITOK);
    ASSERT_NE(other_, nullptr);
    TakeCollected();
  }
  void TearDown() override {
    if (vm_ != nullptr) {
      vmem_free(vm_, a_, 0x10);
      vmem_free(vm_, b_, 0x30);
      vmem_free(vm_, c_, 0x2d);
      vmem_free(vm_, d_, 0x200);
      vmem_verify(vm_);
      vmem_destroy(vm_);
    }
    if (other_ != nullptr) vmem_destroy(other_);
  }

  vmem_t *vm_ = nullptr;
  vmem_t *other_ = nullptr;
  vmem_addr_t a_ = 0, b_ = 0, c_ = 0, d_ = 0;
};

TEST_F(DebugTest, ShowVmemSummary) {
  std::string out = Show("vmem", vm_);
  EXPECT_THAT(out, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(out, HasSubstr("\tquantum:\t16\n"));
  EXPECT_THAT(out, HasSubstr("\tsize:\t4096\n"));
  EXPECT_THAT(out, HasSubstr("\tinuse:\t624\n"));  // 0x10+0x30+0x30+0x200
  EXPECT_THAT(out, HasSubstr("\tfree:\t3472\n"));
  EXPECT_THAT(out, HasSubstr("\tbusy tags:\t4\n"));
  EXPECT_THAT(out, HasSubstr("\tfree tags:\t"));
  EXPECT_THAT(out, HasSubstr("\thash buckets:\t"));

  std::map<size_t, Row> table = Table(out);
  EXPECT_EQ(table.size(), 4u) << out;
  EXPECT_EQ(table[16], Row(1, 16, 0, 0));
  EXPECT_EQ(table[48], Row(2, 96, 0, 0));
  EXPECT_EQ(table[512], Row(1, 512, 0, 0));
  EXPECT_EQ(table[2048], Row(0, 0, 1, 3472));  // 217 quanta: [128, 255]

  // Freeing changes the summary.
  vmem_free(vm_, b_, 0x30);
  vmem_verify(vm_);
  out = Show("vmem", vm_);
  EXPECT_THAT(out, HasSubstr("\tinuse:\t576\n"));
  EXPECT_THAT(out, HasSubstr("\tbusy tags:\t3\n"));
  table = Table(out);
  EXPECT_EQ(table[48], Row(1, 48, 1, 48));
  ASSERT_EQ(vmem_alloc(vm_, 0x30, M_BESTFIT | M_NOWAIT, &b_), 0);
  vmem_verify(vm_);
}

TEST_F(DebugTest, ShowVmemWithoutAddressPrintsUsage) {
  auto r = ShowCmd("vmem", 0, 0);
  EXPECT_EQ(r.first, 0);
  EXPECT_THAT(r.second, HasSubstr("usage"));
  r = ShowCmd("vmemdump", 0, 0);
  EXPECT_EQ(r.first, 0);
  EXPECT_THAT(r.second, HasSubstr("usage"));
}

TEST_F(DebugTest, ShowAllVmemListsEveryArena) {
  auto r = ShowCmd("all vmem", 0, 0);
  EXPECT_EQ(r.first, 0);
  EXPECT_THAT(r.second, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(r.second, HasSubstr("'dbg-other'"));
  EXPECT_THAT(r.second, HasSubstr("\tquantum:\t1\n"));
  EXPECT_THAT(r.second, HasSubstr("\tquantum:\t16\n"));
}

TEST_F(DebugTest, ShowVmemdumpListsSegments) {
  std::string out = Show("vmemdump", vm_);
  EXPECT_THAT(out, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(out, HasSubstr(" 100000 1000, 2(static span)\n"));
  EXPECT_THAT(out, HasSubstr(" 100000 10, 4(busy)\n"));
  EXPECT_THAT(out, HasSubstr(" 100010 30, 4(busy)\n"));
  EXPECT_THAT(out, HasSubstr(" 100040 30, 4(busy)\n"));
  EXPECT_THAT(out, HasSubstr(" 100070 200, 4(busy)\n"));
  EXPECT_THAT(out, HasSubstr(" 100270 d90, 3(free)\n"));
  EXPECT_THAT(out, HasSubstr("freelist["));

  auto r = ShowCmd("all vmemdump", 0, 0);
  EXPECT_EQ(r.first, 0);
  EXPECT_THAT(r.second, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(r.second, HasSubstr("'dbg-other'"));
  EXPECT_THAT(r.second, HasSubstr(" 900000 100, 3(free)\n"));
}

TEST_F(DebugTest, UnknownCommandIsENOENT) {
  EXPECT_EQ(ShowCmd("nosuchcommand", 0, 0).first, ENOENT);
  EXPECT_EQ(ShowCmd("vmemx", (vmem_addr_t)vm_, 1).first, ENOENT);
  EXPECT_EQ(ShowCmd("", 0, 0).first, ENOENT);
  EXPECT_EQ(ShowCmd("all", 0, 0).first, ENOENT);
}

// KNOWN FAILURE (reported): vmem_whatis_lookup() skips span tags but not
// the next-fit cursor, whose [0, 0 + 0 - 1] range covers every address; as
// the cursor heads the segment list of a fresh arena, every arena claims
// every address as "(nil)+addr ... (free)".
TEST_F(DebugTest, WhatisNamesArenaAndState) {
  vmem_whatis(b_ + 5, collect);
  std::string out = TakeCollected();
  EXPECT_THAT(out, HasSubstr("in VMEM 'dbg-arena' (allocated)"));
  EXPECT_THAT(out, HasSubstr("+5 in"));

  vmem_whatis(0x100800, collect);
  out = TakeCollected();
  EXPECT_THAT(out, HasSubstr("in VMEM 'dbg-arena' (free)"));

  vmem_whatis(0x9000ff, collect);
  out = TakeCollected();
  EXPECT_THAT(out, HasSubstr("in VMEM 'dbg-other' (free)"));

  // An address in no arena prints nothing.
  vmem_whatis(0x50, collect);
  EXPECT_EQ(TakeCollected(), "");
}

TEST_F(DebugTest, PrintDumpsOneArena) {
  vmem_print((vmem_addr_t)vm_, "", collect);
  std::string out = TakeCollected();
  EXPECT_THAT(out, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(out, HasSubstr("(busy)"));
  EXPECT_THAT(out, HasSubstr("(free)"));
  EXPECT_THAT(out, HasSubstr("(static span)"));
  EXPECT_EQ(out.find("'dbg-other'"), std::string::npos);
}

TEST_F(DebugTest, PrintallDumpsEveryArena) {
  vmem_printall("", collect);
  std::string out = TakeCollected();
  EXPECT_THAT(out, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(out, HasSubstr("'dbg-other'"));
  EXPECT_THAT(out, HasSubstr(" 100070 200, 4(busy)\n"));
  EXPECT_THAT(out, HasSubstr(" 900000 100, 3(free)\n"));
}

TEST_F(DebugTest, DumpWithCollector) {
  vmem_dump(vm_, collect);
  std::string out = TakeCollected();
  EXPECT_THAT(out, HasSubstr("'dbg-arena'"));
  EXPECT_THAT(out, HasSubstr(" 100270 d90, 3(free)\n"));
}

TEST_F(DebugTest, DestroyedArenaIsNoLongerListed) {
  vmem_destroy(other_);
  other_ = nullptr;
  auto r = ShowCmd("all vmem", 0, 0);
  EXPECT_THAT(r.second, HasSubstr("'dbg-arena'"));
  EXPECT_EQ(r.second.find("'dbg-other'"), std::string::npos);
  vmem_printall("", collect);
  EXPECT_EQ(TakeCollected().find("'dbg-other'"), std::string::npos);
}

}  // namespace
