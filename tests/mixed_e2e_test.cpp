// strongSwan on one peer, Libreswan on the other (label `root`): S1 both directions and IKE
// versions with strongSwan on either side, and the model (strongswan-5.9 + libreswan-4.10
// personalities) against the real mixed pair.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "drivers/libreswan/peer.hpp"
#include "drivers/stack/pair_target.hpp"
#include "drivers/strongswan/peer.hpp"
#include "libreswan_test_util.hpp"

namespace ikeconform {
namespace {

using testing::dump;
using testing::dump_diff;
using testing::ike_only;

class MixedE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ROOT_AND("the mixed strongSwan + Libreswan end-to-end test");
    if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
      GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
  }
  static stack::PairOptions options() {
    stack::PairOptions o;
    o.key_cache = testing::test_key_cache();
    o.keep_dirs = std::getenv("IKECONFORM_KEEP_DIRS") != nullptr;
    return o;
  }
};

std::vector<Scenario> scenarios() {
  std::vector<Scenario> out;
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    const std::string tag = v == IkeVersion::V1 ? "-v1" : "-v2";
    Scenario s1 = testing::runnable("s1", v);
    s1.name = "S1" + tag;
    out.push_back(s1);
    Scenario r2swap = s1;
    std::swap(r2swap.peers[1].certificates[0], r2swap.peers[1].certificates[1]);
    r2swap.name = "S1-R2-CA2-newest" + tag;
    out.push_back(r2swap);
    Scenario s4 = testing::runnable("s4", v);
    s4.name = "S4" + tag;
    out.push_back(s4);
  }
  return out;
}

TEST_F(MixedE2E, ModelAgreesWithMixedPairBothWays) {
  std::string report;
  for (std::size_t swan_side : {0U, 1U}) {
    // A mixed pair is two different peer stacks: strongSwan on `swan_side`, Libreswan on the other.
    const stack::StackKind swan = strongswan::stack_kind(), pluto = libreswan::stack_kind();
    stack::PairTarget t(swan_side == 0 ? swan : pluto, swan_side == 0 ? pluto : swan, options());
    const auto begin = std::chrono::steady_clock::now();
    int runs = 0;
    for (const Scenario& base : scenarios()) {
      const Scenario s = t.personalities(base);
      for (std::uint8_t i = 0; i < 2; ++i) {
        const Observation real = t.run(base, i);
        const Observation model = ike_only(run_direction(s, i, ModelOptions{}));
        ++runs;
        const std::string d = dump_diff(s, model, ike_only(real));
        std::cout << t.name() << " " << s.name << " " << s.peers[i].name
                  << " initiates: " << sa_result_text(real.ike_sa) << " " << reason_code(real.reason)
                  << (d.empty() ? "" : "  (MODEL DISAGREES)") << "\n";
        if (!d.empty())
          report += t.name() + " " + s.name + " " + s.peers[i].name + " initiates:\n" + d + "  real trace:\n" +
                    dump(real) + "  model trace:\n" + dump(model);
      }
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin).count();
    std::cout << "[ timing ] " << t.name() << ": " << runs << " runs in " << ms << " ms\n";
  }
  EXPECT_TRUE(report.empty()) << report;
}

}  // namespace
}  // namespace ikeconform
