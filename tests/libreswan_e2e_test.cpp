// Two real plutos (label `root`): S1 end-to-end in both directions and IKE versions, and the
// libreswan-4.10 personality's predictions against the real pair on S1..S4 variants.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "drivers/libreswan/target.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "libreswan_test_util.hpp"

namespace ikeconform {
namespace {

using namespace std::chrono_literals;
using testing::dump;
using testing::dump_diff;
using testing::ike_only;
using testing::runnable;

class LibreswanE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ROOT_AND("the Libreswan end-to-end test");
    if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
      GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
  }
  static stack::PairOptions options() {
    stack::PairOptions o;
    o.key_cache = testing::test_key_cache();
    o.keep_dirs = std::getenv("IKECONFORM_KEEP_DIRS") != nullptr;  // post-mortem: configs and pluto logs stay
    return o;
  }
};

// Runs both directions on the real pair and on the model, and reports the differences.
struct Agreement {
  Observation real[2], model[2];
  std::string report;
};

Agreement compare(libreswan::Target& t, const Scenario& s) {
  Agreement a;
  const Scenario ls = libreswan::with_personality(s, libreswan::kPersonality);
  for (std::uint8_t i = 0; i < 2; ++i) {
    a.real[i] = t.run(s, i);
    a.model[i] = ike_only(run_direction(ls, i, ModelOptions{}));
    const std::string d = dump_diff(ls, a.model[i], a.real[i]);
    if (!d.empty())
      a.report += s.name + " " + s.peers[i].name + " initiates:\n" + d + "  real trace:\n" + dump(a.real[i]) +
                  "  model trace:\n" + dump(a.model[i]);
  }
  return a;
}

TEST_F(LibreswanE2E, S1BothDirectionsBothVersions) {
  libreswan::Target t(options());
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const Scenario s = runnable("s1", v);
    const auto begin = std::chrono::steady_clock::now();
    Agreement a = compare(t, s);
    std::cout << "[ timing ] S1 IKEv" << (v == IkeVersion::V1 ? 1 : 2) << " both directions: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin).count()
              << " ms\n";
    for (int i = 0; i < 2; ++i) std::cout << "--- real, initiator " << i << ":\n" << dump(a.real[i]);
    EXPECT_TRUE(a.report.empty()) << a.report;
  }
}

}  // namespace
}  // namespace ikeconform
