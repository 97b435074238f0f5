#include "fuzz/scenario_builder.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "model/personality.hpp"

namespace ikeconform::fuzz {
namespace {

// Draws from the input. FuzzedDataProvider returns 0 once the input is exhausted, so every
// helper maps 0 to the typical choice: short inputs stay small, valid and s1-like.
class Draw {
 public:
  explicit Draw(FuzzedDataProvider& in) : in_(in) {}

  std::uint8_t byte() { return in_.ConsumeIntegral<std::uint8_t>(); }
  // True about once in `n` draws; never on exhausted input.
  bool one_in(unsigned n) { return byte() >= 256 - 256 / n; }
  bool flip() { return in_.ConsumeBool(); }
  // 0..n-1 (0 when n == 0 or the input is exhausted).
  std::size_t below(std::size_t n) { return n <= 1 ? 0 : in_.ConsumeIntegralInRange<std::size_t>(0, n - 1); }
  // Mostly lo..typical, one draw in eight lo..max: many small lists, some long ones.
  std::size_t count(std::size_t lo, std::size_t typical, std::size_t max) {
    const std::uint8_t b = byte();
    const std::size_t hi = b < 224 ? typical : max;
    return lo + static_cast<std::size_t>(b) % (hi - lo + 1);
  }
  std::string text(std::size_t max) { return in_.ConsumeRandomLengthString(max); }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[below(N)];
  }
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  FuzzedDataProvider& in_;
};

constexpr std::size_t kMaxCas = 30;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// The DN styles routers and `show` output produce, plus ones meant to confuse: a predefined
// CA's DN on a user CA, another CA's DN again (two CAs, one name), UTF-8, escaped commas.
std::string ca_dn(Draw& d, const Scenario& s, std::size_t i) {
  const std::string n = std::to_string(i + 1);
  if (!d.one_in(4)) return "cn=CA" + n + ",o=cisco,o=com";
  switch (d.below(9)) {
    case 0: return "cn=CA" + n;
    case 1: return s.cas.empty() ? "cn=CA" + n : s.cas[d.below(s.cas.size())].dn;
    case 2: return "CN=CA" + n + ",O=Cisco,O=com";
    case 3: return "cn=CA " + n + ", o=cisco , o=com";
    case 4: return "cn=Cisco Root CA M1,o=Cisco";
    case 5: return "ou=Class 3 Public Primary Certification Authority,o=VeriSign, Inc.,c=US";
    case 6: return "cn=\u00dcn\u00efc\u00f8de CA" + n + ",o=\u4f8b";
    case 7: return "cn=CA" + n + "\\,x,o=com+ou=a";
    default: return d.text(40);  // may be empty: validate() must say so
  }
}

void add_cas(Draw& d, Scenario& s) {
  const std::size_t n = d.one_in(64) ? 0 : d.count(1, 4, kMaxCas);
  for (std::size_t i = 0; i < n; ++i) {
    Ca c;
    c.id = d.one_in(16) ? "ca" + std::to_string(i + 1) : "CA" + std::to_string(i + 1);
    if (d.one_in(64) && !s.cas.empty()) c.id = s.cas.back().id;  // duplicate id: invalid
    c.dn = ca_dn(d, s, i);
    if (d.flip()) c.enrollment_url = "http://192.168.0." + std::to_string(3 + i) + ":80";
    s.cas.push_back(std::move(c));
  }
}

struct Identity {
  std::string name, fqdn, address;
};

Identity make_identity(Draw& d, std::size_t index) {
  const std::string n = std::to_string(index + 1);
  Identity id{"R" + n, "R" + n + ".cisco.com", "192.168.0." + n};
  if (d.one_in(16)) {
    static constexpr std::array<const char*, 6> kNames{"r1", "R1", "R1 ", "R1.cisco.com", "router-with-a-long-name",
                                                       "R"};
    id.name = d.pick(kNames);
  }
  if (d.one_in(16)) {
    static constexpr std::array<const char*, 5> kFqdns{"R1.cisco.com", "r2.CISCO.com", "", "R1.cisco.com.", "x"};
    id.fqdn = d.pick(kFqdns);
  }
  if (d.one_in(16)) {
    static constexpr std::array<const char*, 6> kAddrs{"192.168.0.1",  "10.0.0.1", "999.1.1.1", "",
                                                       "192.168.0.01", "::1"};
    id.address = d.pick(kAddrs);
  }
  return id;
}

std::string unique_name(Draw& d, std::string name, const auto& existing, std::size_t salt) {
  auto taken = [&](const std::string& x) {
    return std::any_of(existing.begin(), existing.end(), [&](const auto& e) { return e.name == x; });
  };
  if (taken(name) && !d.one_in(64)) name += "-" + std::to_string(salt);  // else keep the duplicate: invalid
  return name;
}

void add_trustpoints(Draw& d, const Scenario& s, Peer& p) {
  static constexpr std::array<const char*, 5> kPrefix{"IOSCA", "TP", "tp", "IOS-CA-", "trustpoint_"};
  const std::string prefix = d.one_in(4) ? d.pick(kPrefix) : "IOSCA";
  const std::size_t n = s.cas.empty() || d.one_in(32) ? 0 : d.count(1, std::min<std::size_t>(4, s.cas.size()), kMaxCas);
  for (std::size_t i = 0; i < n; ++i) {
    // Typically trustpoint i anchors CA i; sometimes another one (two trustpoints, one CA).
    const std::size_t ca = i < s.cas.size() && !d.one_in(8) ? i : d.below(s.cas.size());
    Trustpoint t;
    t.name = unique_name(d, prefix + std::to_string(ca + 1), p.trustpoints, i);
    t.ca = d.one_in(128) ? "NO-SUCH-CA" : s.cas[ca].id;
    t.revocation_check = d.flip() ? Revocation::Crl : Revocation::None;
    p.trustpoints.push_back(std::move(t));
  }
}

IdentityCert make_certificate(Draw& d, const std::string& trustpoint) {
  IdentityCert c;
  c.trustpoint = trustpoint;
  if (d.one_in(8)) c.subject = d.one_in(4) ? d.text(30) : "cn=R,ou=IT,o=cisco,o=com";
  c.revoked = d.one_in(16);
  if (d.one_in(16))
    c.features = d.flip() ? std::vector<std::string>{"x509v1"} : std::vector<std::string>{"sig-md5", "x509v1"};
  return c;
}

// Enrolled trustpoints in a drawn enrollment order; the others stay CA-only.
void add_certificates(Draw& d, Peer& p) {
  std::vector<std::string> enrolled;
  for (const Trustpoint& t : p.trustpoints)
    if (!d.one_in(6)) enrolled.push_back(t.name);
  d.shuffle(enrolled);
  for (const std::string& tp : enrolled) p.certificates.push_back(make_certificate(d, tp));
  if (d.one_in(128) && !p.certificates.empty()) p.certificates.push_back(p.certificates.front());  // twice: invalid
}

// A `match identity` line as a recipe, so a mirrored peer can aim it at the other side.
struct MatchRecipe {
  std::uint8_t kind = 0;
  std::string text;
};

// The e-mail identity a peer sends with `identity local email`: "r1@cisco.com".
std::string email(const Identity& id) {
  std::string local = id.name.empty() ? "peer" : id.name;
  for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return local + "@cisco.com";
}

IdentityMatch materialize(const MatchRecipe& r, const Identity& other, const Identity& self) {
  switch (r.kind) {
    case 0: return {IdKind::Fqdn, other.fqdn.empty() ? "peer" : other.fqdn, ""};
    case 1: return {IdKind::Address, other.address.empty() ? "0.0.0.0" : other.address, "255.255.255.255"};
    case 2: return {IdKind::Address, other.address.empty() ? "0.0.0.0" : other.address, "255.255.255.0"};
    case 3: return {IdKind::Address, "0.0.0.0", "0.0.0.0"};  // matches everyone: overlaps every profile
    case 4: return {IdKind::Fqdn, other.fqdn.empty() ? "PEER" : upper(other.fqdn), ""};
    case 5: return {IdKind::Fqdn, self.fqdn.empty() ? "self" : self.fqdn, ""};
    case 6: return {IdKind::Address, other.address.empty() ? "1.2.3.4" : other.address, ""};
    case 8: return {IdKind::Email, email(other), ""};
    case 9: return {IdKind::Email, "cisco.com", "", true};  // e-mail domain: both peers' addresses
    case 10: return {IdKind::Fqdn, "cisco.com", "", true};  // FQDN domain
    default: return {IdKind::Fqdn, r.text.empty() ? "?" : r.text, ""};
  }
}

MatchRecipe draw_match(Draw& d) {
  MatchRecipe r;
  r.kind = d.one_in(3) ? static_cast<std::uint8_t>(d.below(11)) : 0;
  if (r.kind == 7) r.text = d.text(20);
  return r;
}

void add_profile_trustpoints(Draw& d, const Scenario& s, const Peer& p, Profile& f) {
  const std::size_t n = p.trustpoints.empty() ? 0 : d.count(0, 2, 6);
  for (std::size_t i = 0; i < n; ++i) {
    ProfileTrustpoint pt;
    pt.trustpoint = d.one_in(128) ? "NO-SUCH-TP" : p.trustpoints[d.below(p.trustpoints.size())].name;
    if (s.ike_version == IkeVersion::V2 && d.one_in(3)) pt.use = d.flip() ? TrustpointUse::Sign : TrustpointUse::Verify;
    f.trustpoints.push_back(std::move(pt));
  }
}

struct ProfileRecipe {
  Profile profile;  // match filled in by materialize
  std::vector<MatchRecipe> match;
};

std::vector<ProfileRecipe> draw_profiles(Draw& d, const Scenario& s, const Peer& p, bool psk) {
  std::vector<ProfileRecipe> out;
  const std::size_t n = d.one_in(64) ? 0 : d.count(1, 2, 6);
  static constexpr std::array<const char*, 3> kPrefix{"prof", "profile", "Prof"};
  const std::string prefix = d.one_in(4) ? d.pick(kPrefix) : "prof";
  for (std::size_t i = 0; i < n; ++i) {
    ProfileRecipe r;
    std::string name = prefix + std::to_string(i + 1);
    if (d.one_in(64) && !out.empty()) name = out.back().profile.name;  // duplicate: invalid
    r.profile.name = name;
    const std::size_t m = d.one_in(16) ? 0 : d.count(1, 2, 4);
    for (std::size_t k = 0; k < m; ++k) r.match.push_back(draw_match(d));
    r.profile.self_identity = d.one_in(3) ? IdKind::Address : IdKind::Fqdn;
    if (d.one_in(8)) r.profile.self_identity = d.flip() ? IdKind::Dn : IdKind::Email;  // value: materialized
    add_profile_trustpoints(d, s, p, r.profile);
    const AuthMethod base = psk ? AuthMethod::PreShare : AuthMethod::RsaSig;
    const AuthMethod other = psk ? AuthMethod::RsaSig : AuthMethod::PreShare;
    r.profile.auth_local = d.one_in(16) ? other : base;
    r.profile.auth_remote = d.one_in(16) ? other : base;
    out.push_back(std::move(r));
  }
  return out;
}

void materialize_profiles(Draw& d, const std::vector<ProfileRecipe>& recipes, const Identity& self,
                          const Identity& other, Peer& p) {
  p.profiles.clear();
  for (const ProfileRecipe& r : recipes) {
    Profile f = r.profile;
    for (const MatchRecipe& m : r.match) f.match.push_back(materialize(m, other, self));
    if (f.self_identity == IdKind::Email) f.self_identity_value = email(self);
    p.profiles.push_back(std::move(f));
  }
  p.tunnel_profile = p.profiles.empty() ? "prof1" : p.profiles[d.below(p.profiles.size())].name;
  if (d.one_in(128)) p.tunnel_profile = "NO-SUCH-PROFILE";
}

void add_proposals_and_features(Draw& d, Peer& p) {
  if (d.one_in(8)) p.proposals.push_back(d.flip() ? Proposal{"3des", "md5", 2} : Proposal{"aes", "sha", 14});
  if (d.one_in(16))
    p.unsupported_features = d.flip() ? std::vector<std::string>{"x509v1"} : std::vector<std::string>{"sig-md5"};
}

std::string draw_personality(Draw& d) {
  const std::vector<std::string_view> names = personality_names();
  return names.empty() ? std::string(kCiscoIos) : std::string(names[d.below(names.size())]);
}

Peer make_peer(Draw& d, const Scenario& s, const Identity& id) {
  Peer p;
  p.name = id.name;
  p.fqdn = id.fqdn;
  p.address = id.address;
  p.personality = draw_personality(d);
  add_trustpoints(d, s, p);
  add_certificates(d, p);
  return p;
}

// The second peer as a copy of the first: same trustpoints and profiles, aimed back, with its
// own enrollment order (P-1: "whatever the enrollment order"); sometimes one small difference.
Peer mirror_peer(Draw& d, const Peer& a, const Identity& id) {
  Peer b = a;
  b.name = id.name;
  b.fqdn = id.fqdn;
  b.address = id.address;
  d.shuffle(b.certificates);
  if (d.one_in(4) && !b.certificates.empty())
    b.certificates.erase(b.certificates.begin() + static_cast<long>(d.below(b.certificates.size())));
  return b;
}

}  // namespace

Scenario build_scenario(FuzzedDataProvider& in) {
  Draw d(in);
  Scenario s;
  s.name = "fuzz";
  s.ike_version = d.flip() ? IkeVersion::V2 : IkeVersion::V1;
  s.aggressive_mode = d.one_in(64);
  add_cas(d, s);
  const Identity ia = make_identity(d, 0);
  const Identity ib = make_identity(d, 1);
  const bool psk = d.one_in(16);
  const bool mirror = d.one_in(3);
  Peer a = make_peer(d, s, ia);
  const std::vector<ProfileRecipe> ra = draw_profiles(d, s, a, psk);
  Peer b = mirror ? mirror_peer(d, a, ib) : make_peer(d, s, ib);
  const bool same_profiles = mirror && !d.one_in(4);
  const std::vector<ProfileRecipe> rb = same_profiles ? ra : draw_profiles(d, s, b, psk);
  materialize_profiles(d, ra, ia, ib, a);
  materialize_profiles(d, rb, ib, ia, b);
  if (same_profiles) b.tunnel_profile = a.tunnel_profile;
  add_proposals_and_features(d, a);
  add_proposals_and_features(d, b);
  s.peers.push_back(std::move(a));
  s.peers.push_back(std::move(b));
  if (d.one_in(128)) s.peers.pop_back();  // one peer: invalid
  return s;
}

Scenario build_scenario(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  return build_scenario(in);
}

}  // namespace ikeconform::fuzz
