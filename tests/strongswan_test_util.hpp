// Shared by the strongSwan driver tests: the Cisco note's scenario S1 built in code, and PKI
// material with made-up PEM text for golden tests that need no OpenSSL.
#pragma once

#include "drivers/strongswan/render.hpp"
#include "drivers_test_util.hpp"  // is_root(), test_key_cache()
#include "model/scenario.hpp"

namespace ikeconform::testing {

// S1 (spec section 4): IKEv1; R1's prof1 has `ca trust-point IOSCA1`, R2's prof1 has none.
// R1's store shows its CA2 certificate first (enrolled last); R2's shows its CA1 one first.
inline Scenario s1_scenario(IkeVersion v = IkeVersion::V1) {
  Scenario s;
  s.name = "S1";
  s.ike_version = v;
  s.cas = {{"CA1", "cn=CA1,o=cisco,o=com", ""}, {"CA2", "cn=CA2,o=cisco,o=com", ""}};
  auto peer = [](const char* name, const char* addr, const char* remote_fqdn) {
    Peer p;
    p.name = name;
    p.fqdn = std::string(name) + ".cisco.com";
    p.address = addr;
    p.trustpoints = {{"IOSCA1", "CA1", Revocation::None}, {"IOSCA2", "CA2", Revocation::None}};
    Profile f;
    f.name = "prof1";
    f.match = {{IdKind::Fqdn, remote_fqdn, ""}};
    p.profiles = {f};
    p.tunnel_profile = "prof1";
    return p;
  };
  Peer r1 = peer("R1", "192.168.0.1", "R2.cisco.com");
  r1.certificates = {{"IOSCA1", "", false, {}}, {"IOSCA2", "", false, {}}};  // CA2 enrolled last
  r1.profiles[0].trustpoints = {{"IOSCA1", TrustpointUse::Both}};
  Peer r2 = peer("R2", "192.168.0.2", "R1.cisco.com");
  r2.certificates = {{"IOSCA2", "", false, {}}, {"IOSCA1", "", false, {}}};  // CA1 enrolled last
  s.peers = {r1, r2};
  return s;
}

// Material whose PEM text is "PEM(<name>)", files "<name>.crt", DNs as strongSwan prints them.
inline strongswan::Material fake_material(const Scenario& s) {
  strongswan::Material m;
  for (const Ca& ca : s.cas) {
    const std::string cn = ca.id;
    m.cas.push_back({ca.id, "O=com, O=cisco, CN=" + cn, ca.id + ".crt", "PEM(" + ca.id + ")"});
  }
  for (const Peer& p : s.peers) {
    auto& certs = m.certs.emplace_back();
    auto& keys = m.keys.emplace_back();
    for (const IdentityCert& c : p.certificates) {
      const std::string name = p.name + "-" + c.trustpoint;
      certs.push_back(
          {name, "O=com, O=cisco, OU=" + c.trustpoint + ", CN=" + p.name, name + ".crt", "PEM(" + name + ")"});
      keys.push_back({name + ".key", "KEY(" + name + ")"});
    }
  }
  return m;
}

}  // namespace ikeconform::testing
