#include "cli/ios_text.hpp"

#include <fmt/format.h>

namespace ikeconform::cli {
namespace {

std::string match_line(const IdentityMatch& m, bool v2) {
  if (m.kind == IdKind::Fqdn) return (v2 ? " match identity remote fqdn " : " match identity host ") + m.value;
  const std::string mask = m.mask.empty() ? "255.255.255.255" : m.mask;
  return v2 ? fmt::format(" match identity remote address {} {}", m.value, mask)
            : fmt::format(" match identity address {} {}", m.value, mask);
}

std::string auth_text(AuthMethod a) { return a == AuthMethod::RsaSig ? "rsa-sig" : "pre-share"; }

void pki(std::string& out, const Scenario& s, const Peer& p) {
  for (const Trustpoint& t : p.trustpoints) {
    const Ca* ca = find_ca(s, t.ca);
    out += fmt::format("crypto pki trustpoint {}\n", t.name);
    if (ca && !ca->enrollment_url.empty()) out += fmt::format(" enrollment url {}\n", ca->enrollment_url);
    out += fmt::format(" revocation-check {}\n", t.revocation_check == Revocation::Crl ? "crl" : "none");
    out += fmt::format("! CA certificate: {}\n", ca ? ca->dn : t.ca);
  }
  out += "!\n! Identity certificates in enrollment order (oldest first); `show crypto pki certificates` lists them newest first:\n";
  for (const IdentityCert& c : p.certificates) {
    out += fmt::format("!   {}{}{}\n", c.trustpoint, c.revoked ? " (revoked)" : "",
                       c.features.empty() ? "" : fmt::format(" (features: {})", fmt::join(c.features, ", ")));
  }
  if (!p.unsupported_features.empty())
    out += fmt::format("! This router cannot verify certificates with: {}\n", fmt::join(p.unsupported_features, ", "));
  out += "!\n";
}

void ikev1_profiles(std::string& out, const Peer& p) {
  for (const Profile& f : p.profiles) {
    out += fmt::format("crypto isakmp profile {}\n", f.name);
    for (const ProfileTrustpoint& t : f.trustpoints) out += fmt::format(" ca trust-point {}\n", t.trustpoint);
    for (const IdentityMatch& m : f.match) out += match_line(m, false) + "\n";
    out += fmt::format(" self-identity {}\n", f.self_identity == IdKind::Fqdn ? "fqdn" : "address");
    if (f.auth_local != AuthMethod::RsaSig || f.auth_remote != AuthMethod::RsaSig)
      out += fmt::format("! authentication local {} remote {}\n", auth_text(f.auth_local), auth_text(f.auth_remote));
    out += "!\n";
  }
}

void ikev2_profiles(std::string& out, const Peer& p) {
  for (const Profile& f : p.profiles) {
    out += fmt::format("crypto ikev2 profile {}\n", f.name);
    for (const IdentityMatch& m : f.match) out += match_line(m, true) + "\n";
    out += f.self_identity == IdKind::Fqdn ? fmt::format(" identity local fqdn {}\n", p.fqdn) : fmt::format(" identity local address {}\n", p.address);
    out += fmt::format(" authentication local {}\n authentication remote {}\n", auth_text(f.auth_local), auth_text(f.auth_remote));
    for (const ProfileTrustpoint& t : f.trustpoints)
      out += fmt::format(" pki trustpoint {}{}\n", t.trustpoint,
                         t.use == TrustpointUse::Sign ? " sign" : t.use == TrustpointUse::Verify ? " verify" : "");
    out += "!\n";
  }
}

}  // namespace

std::string render_ios_text(const Scenario& s, std::size_t peer) {
  const Peer& p = s.peers.at(peer);
  const bool v2 = s.ike_version == IkeVersion::V2;
  std::string out = fmt::format("! {} (scenario {}, IKEv{})\nhostname {}\nip domain name {}\n!\n", p.name, s.name,
                                static_cast<int>(s.ike_version), p.name, p.fqdn.find('.') != std::string::npos ? p.fqdn.substr(p.fqdn.find('.') + 1) : p.fqdn);
  pki(out, s, p);
  if (v2) ikev2_profiles(out, p);
  else ikev1_profiles(out, p);
  out += fmt::format("crypto ipsec profile IPSEC\n set {} {}\n!\n", v2 ? "ikev2-profile" : "isakmp-profile", p.tunnel_profile);
  out += fmt::format("interface GigabitEthernet0/0\n ip address {} 255.255.255.0\n!\n", p.address);
  const Peer& other = s.peers.at(1 - peer);
  out += fmt::format("interface Tunnel1\n tunnel source GigabitEthernet0/0\n tunnel destination {}\n tunnel protection ipsec profile IPSEC\n!\nend\n",
                     other.address);
  return out;
}

}  // namespace ikeconform::cli
