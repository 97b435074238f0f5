// Scenario -> one IOS configuration per peer + its `show crypto pki certificates`.
// Designed so that import_routers(export) gives the scenario back (docs/ios-import.md):
// CA DNs and the enrollment order travel in the show output, what IOS has no command for in
// `! ikeconform ...` comment lines, which a router ignores.
#include <algorithm>
#include <cstdio>

#include "ios/ios.hpp"
#include "ios/text.hpp"

namespace ikeconform::ios {
namespace {

using namespace detail;

class Writer {
 public:
  void top(const std::string& s) { out_ += s + "\n"; }
  void sub(const std::string& s) { out_ += " " + s + "\n"; }
  void bang() { out_ += "!\n"; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

const char* auth_word(AuthMethod m) { return m == AuthMethod::PreShare ? "pre-share" : "rsa-sig"; }
std::string keyring_name(const Profile& f) { return "KR-" + f.name; }

// One `match identity` line: IKEv1 host / user-fqdn / address, IKEv2 remote fqdn / email /
// address, each name kind with its `domain` form.
std::string match_line(const IdentityMatch& m, IkeVersion v) {
  const bool v1 = v == IkeVersion::V1;
  const std::string domain = m.domain ? "domain " : "";
  switch (m.kind) {
    case IdKind::Fqdn: return (v1 ? "match identity host " : "match identity remote fqdn ") + domain + m.value;
    case IdKind::Email: return (v1 ? "match identity user-fqdn " : "match identity remote email ") + domain + m.value;
    case IdKind::Dn: break;  // no such line in IOS (validate() refuses it)
    case IdKind::Address:
      return (v1 ? "match identity address " : "match identity remote address ") + m.value +
             (m.mask.empty() ? "" : " " + m.mask);
  }
  return "! no IOS line matches a DN identity: " + m.value;
}

// fqdn = hostname.domain when it has that form; otherwise the trustpoints' `fqdn` carries it.
std::string domain_of(const Peer& p) {
  std::string prefix = p.name + ".";
  return p.fqdn.size() > prefix.size() && p.fqdn.compare(0, prefix.size(), prefix) == 0 ? p.fqdn.substr(prefix.size())
                                                                                        : std::string();
}

void annotations(const Scenario& s, const Peer& p, Writer& w) {
  w.top("! ikeconform scenario " + s.name);
  for (const Ca& c : s.cas)
    w.top("! ikeconform ca " + c.id + " " + (c.enrollment_url.empty() ? "-" : c.enrollment_url) + " " + c.dn);
  if (p.personality != kCiscoIos) w.top("! ikeconform personality " + p.personality);
  for (const auto& f : p.unsupported_features) w.top("! ikeconform unsupported-feature " + f);
  if (domain_of(p).empty() && p.trustpoints.empty() && !p.fqdn.empty() && p.fqdn != p.name)
    w.top("! ikeconform fqdn " + p.fqdn);
  if (s.aggressive_mode && s.ike_version == IkeVersion::V2) w.top("! ikeconform aggressive-mode");  // IKEv2 has none
  for (const auto& c : p.certificates) {
    if (c.revoked) w.top("! ikeconform certificate " + c.trustpoint + " revoked");
    for (const auto& f : c.features) w.top("! ikeconform certificate " + c.trustpoint + " feature " + f);
  }
  w.bang();
}

void trustpoints(const Scenario& s, const Peer& p, Writer& w) {
  for (const Trustpoint& t : p.trustpoints) {
    const Ca* ca = find_ca(s, t.ca);
    w.top("crypto pki trustpoint " + t.name);
    w.sub(ca && !ca->enrollment_url.empty() ? "enrollment url " + ca->enrollment_url : "enrollment terminal");
    w.sub("serial-number");
    if (!p.fqdn.empty()) w.sub("fqdn " + p.fqdn);
    if (is_ipv4(p.address)) w.sub("ip-address " + p.address);
    w.sub("subject-name cn=" + p.name);
    w.sub(t.revocation_check == Revocation::Crl ? "revocation-check crl" : "revocation-check none");
    w.bang();
  }
}

bool all_pre_share(const Peer& p) {
  return !p.profiles.empty() && std::all_of(p.profiles.begin(), p.profiles.end(),
                                            [](const Profile& f) { return f.auth_local == AuthMethod::PreShare; });
}

// `crypto pki certificate map` blocks for the profiles' `match certificate` (a name used by
// several profiles is written once).
void certificate_maps(const Peer& p, Writer& w) {
  std::vector<std::string> written;
  for (const Profile& f : p.profiles)
    for (const CertificateMap& m : f.match_certificate) {
      if (std::find(written.begin(), written.end(), m.name) != written.end()) continue;
      written.push_back(m.name);
      for (const CertMapEntry& e : m.entries) {
        w.top("crypto pki certificate map " + m.name + " " + std::to_string(e.seq));
        for (const CertMapRule& r : e.rules)
          w.sub(std::string(cert_field_name(r.field)) + " " + std::string(cert_match_op_name(r.op)) + " " + r.value);
        w.bang();
      }
    }
}

void ikev1(const Scenario& s, const Peer& p, Writer& w) {
  certificate_maps(p, w);
  for (const Profile& f : p.profiles)
    if (f.auth_local == AuthMethod::PreShare) {
      w.top("crypto keyring " + keyring_name(f));  // pre-shared keys themselves are never exported
      w.bang();
    }
  int priority = 10;
  for (const Proposal& x : p.proposals) {
    w.top("crypto isakmp policy " + std::to_string(priority));
    priority += 10;
    w.sub("encr " + x.encryption);
    w.sub("hash " + x.integrity);
    if (all_pre_share(p)) w.sub("authentication pre-share");
    w.sub("group " + std::to_string(x.group));
    w.bang();
  }
  for (const Profile& f : p.profiles) {
    w.top("crypto isakmp profile " + f.name);
    for (const auto& t : f.trustpoints) w.sub("ca trust-point " + t.trustpoint);  // V1-2, V1-12
    if (f.auth_local == AuthMethod::PreShare) w.sub("keyring " + keyring_name(f));
    w.sub(f.self_identity == IdKind::Fqdn    ? "self-identity fqdn"
          : f.self_identity == IdKind::Dn    ? "self-identity dn"
          : f.self_identity == IdKind::Email ? "self-identity user-fqdn " + f.self_identity_value
                                             : "self-identity address");
    for (const auto& m : f.match) w.sub(match_line(m, IkeVersion::V1));
    for (const auto& m : f.match_certificate) w.sub("match certificate " + m.name);
    if (s.aggressive_mode && f.name == p.tunnel_profile) w.sub("initiate mode aggressive");
    w.bang();
  }
}

void ikev2(const Peer& p, Writer& w) {
  certificate_maps(p, w);
  for (std::size_t i = 0; i < p.proposals.size(); ++i) {
    w.top("crypto ikev2 proposal prop-" + std::to_string(i + 1));
    w.sub("encryption " + p.proposals[i].encryption);
    if (p.proposals[i].integrity != "none") w.sub("integrity " + p.proposals[i].integrity);  // AEAD
    w.sub("group " + std::to_string(p.proposals[i].group));
    w.bang();
  }
  if (!p.proposals.empty()) {
    w.top("crypto ikev2 policy pol-1");
    w.sub("match fvrf any");
    for (std::size_t i = 0; i < p.proposals.size(); ++i) w.sub("proposal prop-" + std::to_string(i + 1));
    w.bang();
  }
  for (const Profile& f : p.profiles) {
    w.top("crypto ikev2 profile " + f.name);
    for (const auto& m : f.match) w.sub(match_line(m, IkeVersion::V2));
    for (const auto& m : f.match_certificate) w.sub("match certificate " + m.name);
    // `identity local address` with no address does not parse; the address kind is IOS's default
    // anyway (found by fuzz_ios_config: a router whose tunnel source has no address).
    if (f.self_identity == IdKind::Fqdn) w.sub("identity local fqdn " + p.fqdn);
    else if (f.self_identity == IdKind::Dn) w.sub("identity local dn");
    else if (f.self_identity == IdKind::Email) w.sub("identity local email " + f.self_identity_value);
    else if (!p.address.empty()) w.sub("identity local address " + p.address);
    w.sub(std::string("authentication remote ") + auth_word(f.auth_remote));
    w.sub(std::string("authentication local ") + auth_word(f.auth_local));
    for (const auto& t : f.trustpoints)  // V2-6
      w.sub("pki trustpoint " + t.trustpoint +
            (t.use == TrustpointUse::Sign     ? " sign"
             : t.use == TrustpointUse::Verify ? " verify"
                                              : ""));
    w.bang();
  }
}

void tunnel(const Scenario& s, const Peer& p, const Peer& other, std::size_t peer, Writer& w) {
  w.top("crypto ipsec transform-set TS esp-aes esp-sha256-hmac");
  w.sub("mode tunnel");
  w.bang();
  w.top("crypto ipsec profile " + p.tunnel_profile);
  w.sub("set transform-set TS");
  w.sub((s.ike_version == IkeVersion::V1 ? "set isakmp-profile " : "set ikev2-profile ") + p.tunnel_profile);
  w.bang();
  w.top("interface Tunnel1");
  w.sub("ip address 10.0.0." + std::to_string(peer + 1) + " 255.255.255.0");
  w.sub("tunnel source Ethernet0/0");
  if (is_ipv4(other.address)) w.sub("tunnel destination " + other.address);
  w.sub("tunnel protection ipsec profile " + p.tunnel_profile);
  w.bang();
  w.top("interface Ethernet0/0");
  if (is_ipv4(p.address)) w.sub("ip address " + p.address + " 255.255.255.0");
  w.bang();
}

void dn_lines(const std::string& dn, std::string& out) {
  if (dn.empty()) return;
  for (std::string_view rdn : split_dn(dn)) out += "    " + std::string(rdn) + "\n";
}

void cert_block(std::string& out, bool ca, int serial, const std::string& issuer, const std::string& subject,
                const std::string& tps) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned>(serial));
  out += ca ? "CA Certificate\n" : "Certificate\n";
  out += "  Status: Available\n";
  out += std::string("  Certificate Serial Number (hex): ") + hex + "\n";
  out += ca ? "  Certificate Usage: Signature\n" : "  Certificate Usage: General Purpose\n";
  out += "  Issuer:\n";
  dn_lines(issuer, out);
  out += "  Subject:\n";
  dn_lines(subject, out);
  out += "  Associated Trustpoints: " + tps + "\n\n";
}

}  // namespace

std::string export_ios_config(const Scenario& s, std::size_t peer) {
  const Peer& p = s.peers.at(peer);
  const Peer& other = s.peers.at(1 - peer);
  Writer w;
  annotations(s, p, w);
  w.top("hostname " + p.name);
  w.bang();
  if (std::string d = domain_of(p); !d.empty()) {
    w.top("ip domain name " + d);
    w.bang();
  }
  trustpoints(s, p, w);
  if (s.ike_version == IkeVersion::V1) ikev1(s, p, w);
  else ikev2(p, w);
  tunnel(s, p, other, peer, w);
  w.top("end");
  return w.take();
}

std::string export_show_certs(const Scenario& s, std::size_t peer) {
  const Peer& p = s.peers.at(peer);
  std::string out = p.name + "#show crypto pki certificates\n";
  int serial = 2;
  for (auto c = p.certificates.rbegin(); c != p.certificates.rend(); ++c) {  // newest first (V1-4)
    const Trustpoint* t = find_trustpoint(p, c->trustpoint);
    const Ca* ca = t ? find_ca(s, t->ca) : nullptr;
    cert_block(out, false, serial++, ca ? ca->dn : std::string(), c->subject, c->trustpoint);
  }
  std::vector<std::string> done;
  for (const Trustpoint& t : p.trustpoints) {
    if (std::find(done.begin(), done.end(), t.ca) != done.end()) continue;
    done.push_back(t.ca);
    std::string tps;
    for (const Trustpoint& u : p.trustpoints)
      if (u.ca == t.ca) tps += (tps.empty() ? "" : " ") + u.name;
    const Ca* ca = find_ca(s, t.ca);
    std::string dn = ca ? ca->dn : "cn=" + t.ca;
    cert_block(out, true, 1, dn, dn, tps);
  }
  return out;
}

}  // namespace ikeconform::ios
