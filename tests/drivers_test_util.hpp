// Shared by the drivers tests: a two-peer, two-CA scenario and a key cache that outlives runs.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "model/scenario.hpp"

namespace ikeconform::testing {

// R1 and R2 each hold a CA1 and a CA2 certificate (enrolled CA1 first), both trust both CAs.
inline Scenario two_ca_scenario() {
  Scenario s;
  s.name = "two-ca";
  s.ike_version = IkeVersion::V2;
  s.cas = {{"CA1", "cn=CA1,o=cisco,o=com", ""}, {"CA2", "cn=CA2,o=cisco,o=com", ""}};
  for (const auto& [name, addr] : {std::pair{"R1", "192.168.0.1"}, std::pair{"R2", "192.168.0.2"}}) {
    Peer p;
    p.name = name;
    p.fqdn = std::string(name) + ".cisco.com";
    p.address = addr;
    p.trustpoints = {{"IOSCA1", "CA1", Revocation::None}, {"IOSCA2", "CA2", Revocation::None}};
    p.certificates = {{"IOSCA1", "", false, {}}, {"IOSCA2", "", false, {}}};
    p.profiles = {Profile{"prof", {}, IdKind::Fqdn, {}, AuthMethod::RsaSig, AuthMethod::RsaSig, {}}};
    p.tunnel_profile = "prof";
    s.peers.push_back(p);
  }
  return s;
}

// Persistent across test runs on one machine, so RSA keys are generated once; one per user
// (the keys are private to their owner).
inline std::filesystem::path test_key_cache() {
  return std::filesystem::temp_directory_path() / ("ikeconform-test-keys-" + std::to_string(::geteuid()));
}

inline bool is_root() { return ::geteuid() == 0; }

}  // namespace ikeconform::testing
