#include "generators/generators.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <numeric>
#include <string>

namespace ikeconform::gen {
namespace {

// Generation happens on small "raw" records of codes and sort keys; a pure function turns a raw
// record into a Scenario. Shrinking works on the raw record (every value is meaningful, e.g.
// trust code Absent = "remove this CA from the peer"), and the assembly makes every shrink a
// valid scenario again: references are built from what exists, never drawn at random.

// Per CA on one peer. weightedElement shrinks towards the first element: fewer objects first.
enum Trust : std::uint8_t { kAbsent, kCaOnly, kEnrolled };
// Per CA in one profile: `ca trust-point` / `pki trustpoint [sign|verify]`.
enum LineUse : std::uint8_t { kNoLine, kBoth, kSign, kVerify };
// What one `match identity` line names.
enum MatchCode : std::uint8_t { kPeerFqdn, kPeerAddress, kPeerSubnet, kOtherFqdn };

// The identity a profile sends beyond FQDN / address (`identity local dn|email`), and one more
// match statement for such identities (Expressible::dn_email_identities; 0 where not expressible).
enum SelfKind : std::uint8_t { kSelfAsAddressSays, kSelfDn, kSelfEmail };
enum ExtraMatch : std::uint8_t { kNoExtra, kPeerEmail, kEmailDomain, kFqdnDomain, kPeerCertMap };

struct RawProfile {
  std::vector<std::uint8_t> match;  // MatchCode, 1..2 lines
  bool self_address = false;
  std::vector<std::uint8_t> lines;  // LineUse per CA
  bool psk_local = false;
  bool psk_remote = false;
  std::uint8_t self_kind = kSelfAsAddressSays;  // SelfKind; drawn after the others, so that
  std::uint8_t extra_match = kNoExtra;          // ExtraMatch; the earlier draws stay as they were
};

struct RawPki {
  std::vector<std::uint8_t> trust;  // Trust per CA
  std::vector<int> auth_key;        // `crypto pki authenticate` order: sort CAs by key
  std::vector<int> enroll_key;      // enrollment order: sort CAs by key (all 0 = CA order)
  std::vector<bool> crl;            // `revocation-check crl`
  std::vector<bool> revoked;        // section 7
  std::vector<bool> feature;        // V1-13: the certificate is X.509 v1
};

struct RawPeer {
  RawPki pki;
  bool lacks_feature = false;  // V1-13: cannot verify X.509 v1 certificates
  std::vector<RawProfile> profiles;
  int tunnel = 0;  // index modulo profiles.size()
};

struct RawAny {
  int cas = 1;
  bool v2 = false;
  RawPeer a, b;
};

// symmetric: one CA set S (all CAs), trusted and enrolled on both; one profile per peer whose
// lines name the same subset T of S on both ends (or none, IKEv1).
struct RawSymPeer {
  std::vector<int> auth_key, enroll_key, line_key;
  std::vector<bool> crl;
  bool self_address = false;
  bool subnet_match = false;  // the other end matches our address with a /24 instead of a host
  bool extra_match = false;   // a second, non-matching `match identity` line
};

struct RawSym {
  int cas = 1;
  bool v2 = false;
  bool restricted = false;   // IKEv1 only; IKEv2 initiators need `pki trustpoint` (V2-4)
  std::vector<bool> subset;  // T; empty picks the first CA
  RawSymPeer a, b;
};

// unrestricted_v1: no `ca trust-point` anywhere, CA `shared` trusted and enrolled on both.
struct RawUnrPeer {
  std::vector<std::uint8_t> trust;
  std::vector<int> auth_key, enroll_key;
  std::vector<bool> crl;
  bool self_address = false;
  int extra_profiles = 0;  // profiles that match nobody, before and after the tunnel's
};

struct RawUnr {
  int cas = 1;
  int shared = 0;
  RawUnrPeer a, b;
};

// ---- primitive generators -------------------------------------------------------------------

rc::Gen<int> ca_count() { return rc::gen::element(1, 2, 3, 4, 5, 6); }
rc::Gen<int> sort_key() { return rc::gen::inRange(0, 100); }
rc::Gen<bool> rare() { return rc::gen::weightedElement<bool>({{19, false}, {1, true}}); }
rc::Gen<bool> sometimes() { return rc::gen::weightedElement<bool>({{3, false}, {1, true}}); }

template <typename T>
rc::Gen<std::vector<T>> per_ca(int n, rc::Gen<T> g) {
  return rc::gen::container<std::vector<T>>(static_cast<std::size_t>(n), std::move(g));
}

rc::Gen<std::uint8_t> trust_code() {
  return rc::gen::weightedElement<std::uint8_t>({{1, kAbsent}, {1, kCaOnly}, {4, kEnrolled}});
}

// rare() where the target can express it, never otherwise.
rc::Gen<bool> rare_if(bool expressible) { return expressible ? rare() : rc::gen::just(false); }

rc::Gen<RawPki> raw_pki(int n, const Expressible& e) {
  return rc::gen::build<RawPki>(rc::gen::set(&RawPki::trust, per_ca(n, trust_code())),
                                rc::gen::set(&RawPki::auth_key, per_ca(n, sort_key())),
                                rc::gen::set(&RawPki::enroll_key, per_ca(n, sort_key())),
                                rc::gen::set(&RawPki::crl, per_ca(n, sometimes())),
                                rc::gen::set(&RawPki::revoked, per_ca(n, rare_if(e.revoked_certificates))),
                                rc::gen::set(&RawPki::feature, per_ca(n, rare_if(e.certificate_features))));
}

rc::Gen<RawProfile> raw_profile(int n, const Expressible& e) {
  auto match = rc::gen::weightedElement<std::uint8_t>(
      {{6, kPeerFqdn}, {3, kPeerAddress}, {1, kPeerSubnet}, {2, kOtherFqdn}});
  auto line = rc::gen::weightedElement<std::uint8_t>({{4, kNoLine}, {3, kBoth}, {1, kSign}, {1, kVerify}});
  auto psk = e.pre_shared_keys ? rc::gen::weightedElement<bool>({{9, false}, {1, true}}) : rc::gen::just(false);
  auto self_kind = e.dn_email_identities ? rc::gen::weightedElement<std::uint8_t>(
                                               {{8, kSelfAsAddressSays}, {1, kSelfDn}, {1, kSelfEmail}})
                                         : rc::gen::just<std::uint8_t>(kSelfAsAddressSays);
  auto extra = e.dn_email_identities
                   ? rc::gen::weightedElement<std::uint8_t>(
                         {{6, kNoExtra}, {1, kPeerEmail}, {1, kEmailDomain}, {1, kFqdnDomain}, {1, kPeerCertMap}})
                   : rc::gen::just<std::uint8_t>(kNoExtra);
  return rc::gen::build<RawProfile>(
      rc::gen::set(&RawProfile::match,
                   rc::gen::mapcat(rc::gen::element(1, 2),
                                   [match](int k) {
                                     return rc::gen::container<std::vector<std::uint8_t>>(static_cast<std::size_t>(k),
                                                                                          match);
                                   })),
      rc::gen::set(&RawProfile::self_address, sometimes()), rc::gen::set(&RawProfile::lines, per_ca(n, line)),
      rc::gen::set(&RawProfile::psk_local, psk), rc::gen::set(&RawProfile::psk_remote, psk),
      rc::gen::set(&RawProfile::self_kind, self_kind), rc::gen::set(&RawProfile::extra_match, extra));
}

rc::Gen<RawPeer> raw_peer(int n, const Expressible& e) {
  return rc::gen::build<RawPeer>(rc::gen::set(&RawPeer::pki, raw_pki(n, e)),
                                 rc::gen::set(&RawPeer::lacks_feature, rare_if(e.certificate_features)),
                                 rc::gen::set(&RawPeer::profiles,
                                              rc::gen::mapcat(rc::gen::element(1, 2, 3),
                                                              [n, e](int k) {
                                                                return rc::gen::container<std::vector<RawProfile>>(
                                                                    static_cast<std::size_t>(k), raw_profile(n, e));
                                                              })),
                                 rc::gen::set(&RawPeer::tunnel, rc::gen::inRange(0, 3)));
}

// ---- assembly -------------------------------------------------------------------------------

std::string tp_name(std::size_t peer, std::size_t ca) {
  // The note's routers name their trustpoints differently (IOSCA1 / TP1); section 6 maps both to a CA.
  return (peer == 0 ? "IOSCA" : "TP") + std::to_string(ca + 1);
}

Scenario base_scenario(std::string_view cls, int cas, bool v2) {
  Scenario s;
  s.name = std::string(cls);
  s.ike_version = v2 ? IkeVersion::V2 : IkeVersion::V1;
  for (int k = 1; k <= cas; ++k)
    s.cas.push_back({"CA" + std::to_string(k), "cn=CA" + std::to_string(k) + ",o=cisco,o=com",
                     "http://192.168.0." + std::to_string(10 + k) + ":80"});
  for (int p = 1; p <= 2; ++p) {
    Peer peer;
    peer.name = "R" + std::to_string(p);
    peer.fqdn = "R" + std::to_string(p) + ".cisco.com";
    peer.address = "192.168.0." + std::to_string(p);
    s.peers.push_back(std::move(peer));
  }
  return s;
}

// CA indices sorted by key; ties keep CA order, so all-zero keys (the shrunk form) mean CA order.
std::vector<std::size_t> order_by(const std::vector<int>& keys) {
  std::vector<std::size_t> idx(keys.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) { return keys[x] < keys[y]; });
  return idx;
}

// Trustpoints in authenticate order, certificates in enrollment order.
void add_pki(Peer& peer, std::size_t p, const std::vector<std::uint8_t>& trust, const std::vector<int>& auth_key,
             const std::vector<int>& enroll_key, const std::vector<bool>& crl, const std::vector<bool>* revoked,
             const std::vector<bool>* feature) {
  for (std::size_t k : order_by(auth_key)) {
    if (trust[k] == kAbsent) continue;
    peer.trustpoints.push_back(
        {tp_name(p, k), "CA" + std::to_string(k + 1), crl[k] ? Revocation::Crl : Revocation::None});
  }
  for (std::size_t k : order_by(enroll_key)) {
    if (trust[k] != kEnrolled) continue;
    IdentityCert c;
    c.trustpoint = tp_name(p, k);
    c.subject = "hostname=" + peer.fqdn + ",cn=" + peer.name + ",o=cisco,o=com";
    c.revoked = revoked && (*revoked)[k];
    if (feature && (*feature)[k]) c.features.push_back("x509v1");
    peer.certificates.push_back(std::move(c));
  }
}

IdentityMatch match_for(std::uint8_t code, const Peer& other) {
  switch (code) {
    case kPeerAddress: return {IdKind::Address, other.address, "255.255.255.255"};
    case kPeerSubnet: return {IdKind::Address, "192.168.0.0", "255.255.255.0"};
    case kOtherFqdn: return {IdKind::Fqdn, "R9.cisco.com", ""};
    default: return {IdKind::Fqdn, other.fqdn, ""};
  }
}

// The line that makes `self` bind when the other end sends its identity of kind `kind`.
IdentityMatch matching_line(IdKind kind, const Peer& other, bool subnet) {
  if (kind == IdKind::Fqdn) return {IdKind::Fqdn, other.fqdn, ""};
  return subnet ? IdentityMatch{IdKind::Address, "192.168.0.0", "255.255.255.0"}
                : IdentityMatch{IdKind::Address, other.address, "255.255.255.255"};
}

// The e-mail identity a generated peer sends with `identity local email`: "r1@cisco.com".
std::string email_of(const Peer& p) {
  std::string local = p.name;
  for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return local + "@cisco.com";
}

// ExtraMatch as a statement of `f`: an e-mail line, a domain line, or a certificate map on the
// other peer's CN (what matches a DN sender, which IOS has no `match identity` line for).
void add_extra_match(Profile& f, std::uint8_t code, const Peer& other) {
  IdentityMatch m;
  switch (code) {
    case kPeerEmail: m = {IdKind::Email, email_of(other), ""}; break;
    case kEmailDomain: m = {IdKind::Email, "cisco.com", "", true}; break;
    case kFqdnDomain: m = {IdKind::Fqdn, "cisco.com", "", true}; break;
    case kPeerCertMap:
      f.match_certificate.push_back(
          {"MAP-" + other.name, {{10, {{CertField::SubjectName, CertMatchOp::Co, "cn=" + other.name}}}}});
      return;
    default: return;
  }
  f.match.push_back(std::move(m));
}

bool trusted(const Peer& p, std::size_t p_index, std::size_t ca) {
  return find_trustpoint(p, tp_name(p_index, ca)) != nullptr;
}

// `one_v1_method`: an IKEv1 profile authenticates both ways with its local method (the target
// negotiates one method per SA); a pure function of the raw record, so shrinking keeps it.
Scenario assemble_any(const RawAny& r, bool one_v1_method) {
  Scenario s = base_scenario("any", r.cas, r.v2);
  const RawPeer* raw[2] = {&r.a, &r.b};
  for (std::size_t p = 0; p < 2; ++p) {
    const RawPki& k = raw[p]->pki;
    add_pki(s.peers[p], p, k.trust, k.auth_key, k.enroll_key, k.crl, &k.revoked, &k.feature);
    if (raw[p]->lacks_feature) s.peers[p].unsupported_features.push_back("x509v1");
  }
  for (std::size_t p = 0; p < 2; ++p) {
    Peer& peer = s.peers[p];
    const Peer& other = s.peers[1 - p];
    for (std::size_t j = 0; j < raw[p]->profiles.size(); ++j) {
      const RawProfile& rp = raw[p]->profiles[j];
      Profile f;
      f.name = "prof" + std::to_string(j + 1);
      for (std::uint8_t m : rp.match) f.match.push_back(match_for(m, other));
      add_extra_match(f, rp.extra_match, other);
      f.self_identity = rp.self_address ? IdKind::Address : IdKind::Fqdn;
      if (rp.self_kind == kSelfDn) f.self_identity = IdKind::Dn;
      if (rp.self_kind == kSelfEmail) {
        f.self_identity = IdKind::Email;
        f.self_identity_value = email_of(peer);
      }
      for (std::size_t ca = 0; ca < rp.lines.size(); ++ca) {
        if (rp.lines[ca] == kNoLine || !trusted(peer, p, ca)) continue;
        // V2-6: sign / verify exist only for IKEv2 `pki trustpoint`; IKEv1 lines serve both.
        TrustpointUse use = !r.v2 || rp.lines[ca] == kBoth ? TrustpointUse::Both
                            : rp.lines[ca] == kSign        ? TrustpointUse::Sign
                                                           : TrustpointUse::Verify;
        f.trustpoints.push_back({tp_name(p, ca), use});
      }
      f.auth_local = rp.psk_local ? AuthMethod::PreShare : AuthMethod::RsaSig;
      f.auth_remote = rp.psk_remote ? AuthMethod::PreShare : AuthMethod::RsaSig;
      if (one_v1_method && !r.v2) f.auth_remote = f.auth_local;
      peer.profiles.push_back(std::move(f));
    }
    peer.tunnel_profile = peer.profiles[static_cast<std::size_t>(raw[p]->tunnel) % peer.profiles.size()].name;
  }
  return s;
}

Scenario assemble_symmetric(const RawSym& r) {
  Scenario s = base_scenario("symmetric", r.cas, r.v2);
  const auto n = static_cast<std::size_t>(r.cas);
  std::vector<std::size_t> subset;
  if (r.v2 || r.restricted) {
    for (std::size_t k = 0; k < n; ++k)
      if (r.subset[k]) subset.push_back(k);
    if (subset.empty()) subset.push_back(0);
  }
  const RawSymPeer* raw[2] = {&r.a, &r.b};
  const std::vector<std::uint8_t> all(n, kEnrolled);
  for (std::size_t p = 0; p < 2; ++p)
    add_pki(s.peers[p], p, all, raw[p]->auth_key, raw[p]->enroll_key, raw[p]->crl, nullptr, nullptr);
  for (std::size_t p = 0; p < 2; ++p) {
    const RawSymPeer& me = *raw[p];
    const RawSymPeer& them = *raw[1 - p];
    Profile f;
    f.name = "prof1";
    f.self_identity = me.self_address ? IdKind::Address : IdKind::Fqdn;
    if (me.extra_match) f.match.push_back({IdKind::Fqdn, "R9.cisco.com", ""});
    f.match.push_back(
        matching_line(them.self_address ? IdKind::Address : IdKind::Fqdn, s.peers[1 - p], them.subnet_match));
    // The same CA set on both ends; the line order may differ (order never decides a choice).
    std::vector<std::size_t> lines = subset;
    std::stable_sort(lines.begin(), lines.end(),
                     [&](std::size_t x, std::size_t y) { return me.line_key[x] < me.line_key[y]; });
    for (std::size_t k : lines) f.trustpoints.push_back({tp_name(p, k), TrustpointUse::Both});
    s.peers[p].profiles.push_back(std::move(f));
    s.peers[p].tunnel_profile = "prof1";
  }
  return s;
}

Scenario assemble_unrestricted(const RawUnr& r) {
  Scenario s = base_scenario("unrestricted_v1", r.cas, false);
  const RawUnrPeer* raw[2] = {&r.a, &r.b};
  const auto shared = static_cast<std::size_t>(r.shared % r.cas);
  for (std::size_t p = 0; p < 2; ++p) {
    std::vector<std::uint8_t> trust = raw[p]->trust;
    trust[shared] = kEnrolled;
    add_pki(s.peers[p], p, trust, raw[p]->auth_key, raw[p]->enroll_key, raw[p]->crl, nullptr, nullptr);
  }
  for (std::size_t p = 0; p < 2; ++p) {
    const RawUnrPeer& me = *raw[p];
    const RawUnrPeer& them = *raw[1 - p];
    Peer& peer = s.peers[p];
    // Extra profiles match nobody, so the tunnel's profile binds whatever the match rule (V1-8).
    auto extra = [&](int j) {
      Profile f;
      f.name = "other" + std::to_string(j);
      f.match.push_back({IdKind::Fqdn, "R" + std::to_string(7 + j) + ".cisco.com", ""});
      peer.profiles.push_back(std::move(f));
    };
    for (int j = 0; j < me.extra_profiles; j += 2) extra(j + 1);
    Profile f;
    f.name = "prof1";
    f.self_identity = me.self_address ? IdKind::Address : IdKind::Fqdn;
    f.match.push_back(matching_line(them.self_address ? IdKind::Address : IdKind::Fqdn, s.peers[1 - p], false));
    peer.profiles.push_back(std::move(f));
    peer.tunnel_profile = "prof1";
    for (int j = 1; j < me.extra_profiles; j += 2) extra(j + 1);
  }
  return s;
}

rc::Gen<RawSymPeer> raw_sym_peer(int n) {
  return rc::gen::build<RawSymPeer>(rc::gen::set(&RawSymPeer::auth_key, per_ca(n, sort_key())),
                                    rc::gen::set(&RawSymPeer::enroll_key, per_ca(n, sort_key())),
                                    rc::gen::set(&RawSymPeer::line_key, per_ca(n, sort_key())),
                                    rc::gen::set(&RawSymPeer::crl, per_ca(n, sometimes())),
                                    rc::gen::set(&RawSymPeer::self_address, sometimes()),
                                    rc::gen::set(&RawSymPeer::subnet_match, sometimes()),
                                    rc::gen::set(&RawSymPeer::extra_match, sometimes()));
}

rc::Gen<RawUnrPeer> raw_unr_peer(int n) {
  return rc::gen::build<RawUnrPeer>(rc::gen::set(&RawUnrPeer::trust, per_ca(n, trust_code())),
                                    rc::gen::set(&RawUnrPeer::auth_key, per_ca(n, sort_key())),
                                    rc::gen::set(&RawUnrPeer::enroll_key, per_ca(n, sort_key())),
                                    rc::gen::set(&RawUnrPeer::crl, per_ca(n, sometimes())),
                                    rc::gen::set(&RawUnrPeer::self_address, sometimes()),
                                    rc::gen::set(&RawUnrPeer::extra_profiles, rc::gen::element(0, 1, 2)));
}

}  // namespace

rc::Gen<Scenario> any_scenario(const Expressible& e) {
  return rc::gen::map(rc::gen::mapcat(ca_count(),
                                      [e](int n) {
                                        return rc::gen::build<RawAny>(rc::gen::set(&RawAny::cas, rc::gen::just(n)),
                                                                      rc::gen::set(&RawAny::v2,
                                                                                   rc::gen::arbitrary<bool>()),
                                                                      rc::gen::set(&RawAny::a, raw_peer(n, e)),
                                                                      rc::gen::set(&RawAny::b, raw_peer(n, e)));
                                      }),
                      [one_v1_method = !e.ikev1_mixed_auth](const RawAny& r) {
                        return assemble_any(r, one_v1_method);
                      });
}

rc::Gen<Scenario> symmetric_scenario() {
  return rc::gen::map(rc::gen::mapcat(ca_count(),
                                      [](int n) {
                                        return rc::gen::build<RawSym>(
                                            rc::gen::set(&RawSym::cas, rc::gen::just(n)),
                                            rc::gen::set(&RawSym::v2, rc::gen::arbitrary<bool>()),
                                            rc::gen::set(&RawSym::restricted, rc::gen::arbitrary<bool>()),
                                            rc::gen::set(&RawSym::subset, per_ca(n, rc::gen::arbitrary<bool>())),
                                            rc::gen::set(&RawSym::a, raw_sym_peer(n)),
                                            rc::gen::set(&RawSym::b, raw_sym_peer(n)));
                                      }),
                      assemble_symmetric);
}

rc::Gen<Scenario> unrestricted_v1_scenario() {
  return rc::gen::map(rc::gen::mapcat(ca_count(),
                                      [](int n) {
                                        return rc::gen::build<RawUnr>(rc::gen::set(&RawUnr::cas, rc::gen::just(n)),
                                                                      rc::gen::set(&RawUnr::shared,
                                                                                   rc::gen::inRange(0, n)),
                                                                      rc::gen::set(&RawUnr::a, raw_unr_peer(n)),
                                                                      rc::gen::set(&RawUnr::b, raw_unr_peer(n)));
                                      }),
                      assemble_unrestricted);
}

rc::Gen<Scenario> mixed_scenario(const Expressible& e) {
  return rc::gen::weightedOneOf<Scenario>(
      {{1, symmetric_scenario()}, {1, unrestricted_v1_scenario()}, {2, any_scenario(e)}});
}

rc::Gen<Scenario> scenario_of(ScenarioClass c, const Expressible& e) {
  switch (c) {
    case ScenarioClass::Any: return any_scenario(e);
    case ScenarioClass::Symmetric: return symmetric_scenario();
    case ScenarioClass::UnrestrictedV1: return unrestricted_v1_scenario();
    case ScenarioClass::Mixed: break;
  }
  return mixed_scenario(e);
}

namespace {
constexpr std::array<std::pair<std::string_view, ScenarioClass>, 4> kClasses{
    {{"mixed", ScenarioClass::Mixed},
     {"any", ScenarioClass::Any},
     {"symmetric", ScenarioClass::Symmetric},
     {"unrestricted_v1", ScenarioClass::UnrestrictedV1}}};
}

std::string_view class_name(ScenarioClass c) {
  for (const auto& [name, value] : kClasses)
    if (value == c) return name;
  return "?";
}

bool parse_class(std::string_view s, ScenarioClass& out) {
  for (const auto& [name, value] : kClasses)
    if (name == s) {
      out = value;
      return true;
    }
  return false;
}

std::vector<std::string_view> class_names() {
  std::vector<std::string_view> out;
  for (const auto& c : kClasses) out.push_back(c.first);
  return out;
}

std::string_view generated_class(const Scenario& s) {
  for (std::string_view c : {"symmetric", "unrestricted_v1", "any"})
    if (std::string_view(s.name).substr(0, c.size()) == c) return c;
  return "";
}

int size_for_index(std::uint64_t index) { return 50 + static_cast<int>(index % 51); }

rc::Random random_for(std::uint64_t seed, std::uint64_t index) {
  // A distinct Threefry key per (seed, index): streams are independent, no seed ^ index collisions.
  return rc::Random(rc::Random::Key{seed, index, 0x696b65636f6e666fULL, 0x726d2e67656e2f31ULL});
}

rc::Shrinkable<Scenario> generate(const rc::Gen<Scenario>& g, std::uint64_t seed, std::uint64_t index) {
  return g(random_for(seed, index), size_for_index(index));
}

}  // namespace ikeconform::gen
