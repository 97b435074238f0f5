// Shared by the capture tests of real pairs (pcap_tshark_test, cisco_ios_test): one run
// captured to a file, checked with tshark against wire/ and against the Observation.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "drivers/pki/pki.hpp"
#include "drivers/stack/pair.hpp"
#include "libreswan_test_util.hpp"
#include "tshark_util.hpp"

namespace ikeconform::testing {

inline wire::CaTables real_tables(const Scenario& s, const pki::Pki& pki) {
  std::vector<wire::Bytes> hashes;
  for (const Ca& ca : s.cas) hashes.emplace_back(pki.ca(ca.id)->spki_sha1.begin(), pki.ca(ca.id)->spki_sha1.end());
  return wire::ca_tables(s, true, hashes);
}

// One run captured to a file; Wireshark agrees with wire/ and the Observation.
inline void check_run(stack::PairRunner& runner, const Scenario& s, const pki::Pki& pki, std::uint8_t initiator,
                      const std::filesystem::path& file) {
  SCOPED_TRACE(s.name + " " + s.peers[initiator].name + " initiates, " + s.peers[0].personality);
  runner.options().keep_pcap = file;
  const Observation o = runner.run(s, pki, initiator);
  runner.options().keep_pcap.clear();
  ASSERT_TRUE(std::filesystem::exists(file)) << dump(o);
  const wire::CaTables t = real_tables(s, pki);
  const auto seen = check_with_tshark(file, s, t, /*checksums=*/false);
  // The responder's clear CERTREQ message (IKEv1 MM4 / IKEv2 IKE_SA_INIT response): the
  // Observation's list is what Wireshark shows there.
  const auto packets = wire::read_ike_packets(file);
  std::vector<std::string> expected;
  for (const CertReq& c : o.certreq_from_responder) {
    if (s.ike_version == IkeVersion::V1) expected.push_back(ca_dn(s, c.ca));
    else expected.push_back(to_hex(t.spki_sha1.at(static_cast<std::size_t>(c.ca))));
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
                                                                                    << dump(o);
  }
  EXPECT_TRUE(found) << "no clear responder message in the capture\n" << dump(o);
}

}  // namespace ikeconform::testing
