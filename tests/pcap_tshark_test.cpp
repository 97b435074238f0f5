// Captures of real runs (label `root`) read back by Wireshark: a Libreswan pair and a strongSwan
// pair (both through drivers/stack, capture on the veth), every frame ISAKMP, nothing
// malformed, Wireshark's CERT_REQ / CERTREQ entries equal wire/'s decode of the same bytes and
// the Observation's lists.
#include <gtest/gtest.h>
#include <unistd.h>

#include "drivers/libreswan/peer.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/strongswan/peer.hpp"
#include "drivers/targets/targets.hpp"
#include "libreswan_test_util.hpp"
#include "pair_capture_util.hpp"

namespace ikeconform {
namespace {

class RealCaptureTshark : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ROOT_AND("capturing real runs");
    if (!testing::have_tshark()) GTEST_SKIP() << "\n\n*** SKIPPED: tshark not found at /usr/bin/tshark ***\n";
    if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
      GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
    dir_ = std::make_unique<process::TempDir>(std::filesystem::temp_directory_path(),
                                              process::run_prefix() + "-tshark-");
  }
  std::unique_ptr<process::TempDir> dir_;
};

stack::PairOptions options() {
  stack::PairOptions o;
  o.key_cache = testing::test_key_cache();
  return o;
}

void run_pair(std::string_view name, const std::filesystem::path& dir) {
  const std::string personality(name);
  stack::PairRunner runner(targets::real_stacks(), options());
  pki::KeyCache keys(testing::test_key_cache());
  for (IkeVersion v : {IkeVersion::V1, IkeVersion::V2}) {
    Scenario s = testing::with_personalities(testing::runnable("s1", v), personality, personality);
    s.name = std::string("S1-v") + (v == IkeVersion::V1 ? "1" : "2");
    const auto pki_dir = dir / (personality + s.name);
    const pki::Pki pki = pki::make_pki(s, pki_dir, keys);
    for (std::uint8_t i = 0; i < 2; ++i)
      testing::check_run(runner, s, pki, i, dir / (personality + "-" + s.name + "-" + std::to_string(i) + ".pcap"));
  }
}

TEST_F(RealCaptureTshark, LibreswanPairCaptureDecodesInWireshark) { run_pair(libreswan::kPersonality, dir_->path()); }

TEST_F(RealCaptureTshark, StrongswanPairCaptureDecodesInWireshark) { run_pair(strongswan::kPersonality, dir_->path()); }

}  // namespace
}  // namespace ikeconform
