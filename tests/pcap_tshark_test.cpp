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
#include "tshark_util.hpp"

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

wire::CaTables real_tables(const Scenario& s, const pki::Pki& pki) {
  std::vector<wire::Bytes> hashes;
  for (const Ca& ca : s.cas) hashes.emplace_back(pki.ca(ca.id)->spki_sha1.begin(), pki.ca(ca.id)->spki_sha1.end());
  return wire::ca_tables(s, true, hashes);
}

// One run captured to a file; Wireshark agrees with wire/ and the Observation.
void check_run(stack::PairRunner& runner, const Scenario& s, const pki::Pki& pki, std::uint8_t initiator,
               const std::filesystem::path& file) {
  SCOPED_TRACE(s.name + " " + s.peers[initiator].name + " initiates, " + s.peers[0].personality);
  runner.options().keep_pcap = file;
  const Observation o = runner.run(s, pki, initiator);
  runner.options().keep_pcap.clear();
  ASSERT_TRUE(std::filesystem::exists(file)) << testing::dump(o);
  const wire::CaTables t = real_tables(s, pki);
  const auto seen = testing::check_with_tshark(file, s, t, /*checksums=*/false);
  // The responder's clear CERTREQ message (IKEv1 MM4 / IKEv2 IKE_SA_INIT response): the
  // Observation's list is what Wireshark shows there.
  const auto packets = wire::read_ike_packets(file);
  std::vector<std::string> expected;
  for (const CertReq& c : o.certreq_from_responder) {
    if (s.ike_version == IkeVersion::V1) expected.push_back(ca_dn(s, c.ca));
    else expected.push_back(testing::to_hex(t.spki_sha1.at(static_cast<std::size_t>(c.ca))));
  }
  bool found = false;
  for (std::size_t i = 0; i < packets.size() && !found; ++i) {
    const auto& m = packets[i].message;
    if (!m || packets[i].src.address.str() != s.peers[1U - initiator].address) continue;
    const bool v1_mm4 = s.ike_version == IkeVersion::V1 && m->header.exchange == wire::ikev1::kIdentityProtection &&
                        m->find(wire::ikev1::kKE) != nullptr;
    const bool v2_init = s.ike_version == IkeVersion::V2 && m->header.exchange == wire::ikev2::kIkeSaInit &&
                         m->is_response();
    if (!v1_mm4 && !v2_init) continue;
    found = true;
    const auto it = seen.find(static_cast<int>(i + 1));
    EXPECT_EQ(it == seen.end() ? std::vector<std::string>{} : it->second, expected) << "frame " << i + 1 << "\n"
                                                                                    << testing::dump(o);
  }
  EXPECT_TRUE(found) << "no clear responder message in the capture\n" << testing::dump(o);
}

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
      check_run(runner, s, pki, i, dir / (personality + "-" + s.name + "-" + std::to_string(i) + ".pcap"));
  }
}

TEST_F(RealCaptureTshark, LibreswanPairCaptureDecodesInWireshark) { run_pair(libreswan::kPersonality, dir_->path()); }

TEST_F(RealCaptureTshark, StrongswanPairCaptureDecodesInWireshark) { run_pair(strongswan::kPersonality, dir_->path()); }

}  // namespace
}  // namespace ikeconform
