// sysctl(9) integer knobs through vmem_sysctl_int().
#include <sys/sysctl.h>
#include <sys/vmem_ext.h>

#include <errno.h>

#include "gtest/gtest.h"

namespace {
int knob_value = 7;
int ro_value = 3;
int tun_value = 11;
}  // namespace

SYSCTL_INT(_test, OID_AUTO, knob, CTLFLAG_RW, &knob_value, 0, "a test knob");
SYSCTL_INT(_test, OID_AUTO, ro_knob, CTLFLAG_RD, &ro_value, 0,
           "a read-only knob");
SYSCTL_INT(_debug, OID_AUTO, tun_knob, CTLFLAG_RWTUN, &tun_value, 0,
           "a tunable");

namespace {

TEST(Sysctl, Read) {
  int old = -1;
  EXPECT_EQ(vmem_sysctl_int("test.knob", &old, nullptr), 0);
  EXPECT_EQ(old, knob_value);
  EXPECT_EQ(vmem_sysctl_int("test.ro_knob", &old, nullptr), 0);
  EXPECT_EQ(old, 3);
  EXPECT_EQ(vmem_sysctl_int("test.knob", nullptr, nullptr), 0);
}

TEST(Sysctl, Write) {
  knob_value = 7;
  int old = -1;
  int value = 42;
  EXPECT_EQ(vmem_sysctl_int("test.knob", &old, &value), 0);
  EXPECT_EQ(old, 7);  // the value before the write
  EXPECT_EQ(knob_value, 42);
  value = -5;
  EXPECT_EQ(vmem_sysctl_int("test.knob", nullptr, &value), 0);
  EXPECT_EQ(knob_value, -5);
  EXPECT_EQ(vmem_sysctl_int("test.knob", &old, nullptr), 0);
  EXPECT_EQ(old, -5);
  // The variable is the knob: writes to it show through.
  knob_value = 9;
  EXPECT_EQ(vmem_sysctl_int("test.knob", &old, nullptr), 0);
  EXPECT_EQ(old, 9);

  value = 12;
  EXPECT_EQ(vmem_sysctl_int("debug.tun_knob", &old, &value), 0);
  EXPECT_EQ(old, 11);
  EXPECT_EQ(tun_value, 12);
}

TEST(Sysctl, UnknownNames) {
  int old = 1234;
  int value = 1;
  for (const char *name : {"test.nosuch", "knob", "_test.knob", "test",
                           "test.knob.x", "test.KNOB", ""}) {
    EXPECT_EQ(vmem_sysctl_int(name, &old, nullptr), ENOENT) << name;
    EXPECT_EQ(vmem_sysctl_int(name, nullptr, &value), ENOENT) << name;
  }
  EXPECT_EQ(old, 1234);
}

TEST(Sysctl, ReadOnlyRefusesWrites) {
  int value = 99;
  EXPECT_EQ(vmem_sysctl_int("test.ro_knob", nullptr, &value), EPERM);
  EXPECT_EQ(ro_value, 3);
  int old = -1;
  EXPECT_EQ(vmem_sysctl_int("test.ro_knob", &old, &value), EPERM);
  EXPECT_EQ(ro_value, 3);
}

}  // namespace
