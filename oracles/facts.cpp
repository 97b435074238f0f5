#include "oracles/facts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "model/predefined.hpp"

namespace ikeconform::facts {

CaIndex ca_index(const Scenario& s, const std::string& ca_id) {
  for (std::size_t i = 0; i < s.cas.size(); ++i)
    if (s.cas[i].id == ca_id) return static_cast<CaIndex>(i);
  return kNone;
}

CaIndex trustpoint_ca(const Scenario& s, const Peer& p, const std::string& tp) {
  for (const Trustpoint& t : p.trustpoints)
    if (t.name == tp) return ca_index(s, t.ca);
  return kNone;
}

bool holds_certificate(const Peer& p, const std::string& tp) {
  return std::any_of(p.certificates.begin(), p.certificates.end(),
                     [&](const IdentityCert& c) { return c.trustpoint == tp; });
}

CaIndex observed_tp_ca(const Scenario& s, std::size_t peer, TpIndex tp, const ModelOptions& o) {
  if (tp < 0) return kNone;
  const Peer& p = s.peers[peer];
  const auto i = static_cast<std::size_t>(tp);
  if (i < p.trustpoints.size()) return ca_index(s, p.trustpoints[i].ca);
  const std::size_t k = i - p.trustpoints.size();
  if (!o.predefined_trustpoints || k >= kPredefinedTrustpoints.size()) return kNone;
  return predefined_ca_index(s.cas, k);
}

std::vector<CaIndex> global_certreq_order(const Scenario& s, std::size_t peer, const ModelOptions& o) {
  const Peer& p = s.peers[peer];
  std::vector<CaIndex> out;
  auto add = [&](CaIndex ca) {
    if (ca != kNone && std::find(out.begin(), out.end(), ca) == out.end()) out.push_back(ca);
  };
  // Section 1: the certificate store shows the most recently enrolled certificate first.
  for (auto it = p.certificates.rbegin(); it != p.certificates.rend(); ++it) add(trustpoint_ca(s, p, it->trustpoint));
  // V1-4 (inferred part): CA-only trustpoints after the enrolled issuers.
  std::vector<const Trustpoint*> ca_only;
  for (const Trustpoint& t : p.trustpoints)
    if (!holds_certificate(p, t.name)) ca_only.push_back(&t);
  if (o.ca_only_order == CaOnlyOrder::ReverseAuthenticate) std::reverse(ca_only.begin(), ca_only.end());
  for (const Trustpoint* t : ca_only) add(ca_index(s, t->ca));
  // Section 1: the predefined trustpoints, in the order IOS lists them.
  if (o.predefined_trustpoints)
    for (std::size_t k = 0; k < kPredefinedTrustpoints.size(); ++k) add(predefined_ca_index(s.cas, k));
  return out;
}

std::vector<std::string> profile_trustpoints(const Profile& f, Use use) {
  std::vector<std::string> out;
  for (const ProfileTrustpoint& pt : f.trustpoints) {
    // V2-6: a plain line serves both signing and validation.
    const bool serves = use == Use::Any || pt.use == TrustpointUse::Both ||
                        (use == Use::Sign && pt.use == TrustpointUse::Sign) ||
                        (use == Use::Verify && pt.use == TrustpointUse::Verify);
    if (serves && std::find(out.begin(), out.end(), pt.trustpoint) == out.end()) out.push_back(pt.trustpoint);
  }
  return out;
}

std::vector<CaIndex> cas_of(const Scenario& s, const Peer& p, const std::vector<std::string>& tps) {
  std::vector<CaIndex> out;
  for (const std::string& t : tps) out.push_back(trustpoint_ca(s, p, t));
  return out;
}

std::vector<CaIndex> trust_anchors(const Scenario& s, std::size_t peer, const ModelOptions& o) {
  const Peer& p = s.peers[peer];
  std::vector<CaIndex> out;
  for (const Trustpoint& t : p.trustpoints) {
    const CaIndex ca = ca_index(s, t.ca);
    if (ca != kNone && std::find(out.begin(), out.end(), ca) == out.end()) out.push_back(ca);
  }
  if (p.personality == kCiscoIos && o.predefined_trustpoints)
    for (std::size_t k = 0; k < kPredefinedTrustpoints.size(); ++k)
      if (const CaIndex ca = predefined_ca_index(s.cas, k); std::find(out.begin(), out.end(), ca) == out.end())
        out.push_back(ca);
  return out;
}

std::vector<CaIndex> verify_restriction(const Scenario& s, const Peer& p, const Profile& f) {
  const Use use = s.ike_version == IkeVersion::V1 ? Use::Any : Use::Verify;
  std::vector<CaIndex> out;
  for (CaIndex ca : cas_of(s, p, profile_trustpoints(f, use)))
    if (ca != kNone && std::find(out.begin(), out.end(), ca) == out.end()) out.push_back(ca);
  return out;
}

Identity identity_sent(const Peer& p, const Profile& f) {
  switch (f.self_identity) {
    case IdKind::Fqdn: return {IdKind::Fqdn, p.fqdn};
    case IdKind::Email: return {IdKind::Email, f.self_identity_value};
    case IdKind::Dn: return {IdKind::Dn, {}};  // the chosen certificate's subject: no fact here matches it
    case IdKind::Address: break;
  }
  return {IdKind::Address, p.address};
}

namespace {

// "a.b.c.d", each 0..255 with 1-3 digits.
bool dotted_quad(const std::string& text, std::uint32_t& out) {
  std::uint32_t value = 0;
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (i >= text.size() || text[i++] != '.')) return false;
    std::uint32_t octet = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 3; ++i, ++digits)
      octet = octet * 10 + static_cast<std::uint32_t>(text[i] - '0');
    if (digits == 0 || octet > 255) return false;
    value = (value << 8) | octet;
  }
  out = value;
  return i == text.size();
}

std::string lower(std::string v) {
  for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v;
}

}  // namespace

bool identity_matches(const IdentityMatch& m, const Identity& id) {
  if (m.kind != id.kind || id.value.empty() || m.kind == IdKind::Dn) return false;
  if (m.kind == IdKind::Fqdn || m.kind == IdKind::Email) {  // case-insensitive
    const std::string want = lower(m.value), have = lower(id.value);
    if (!m.domain) return want == have;
    // `domain`: the part after '@' of an e-mail address; an FQDN equal to it or below it.
    if (m.kind == IdKind::Email)
      return have.size() > want.size() && have.substr(have.size() - want.size() - 1) == "@" + want;
    return have == want || (have.size() > want.size() && have.substr(have.size() - want.size() - 1) == "." + want);
  }
  std::uint32_t net = 0, mask = 0xffffffffu, addr = 0;
  if (!dotted_quad(m.value, net) || !dotted_quad(id.value, addr)) return false;
  if (!m.mask.empty() && !dotted_quad(m.mask, mask)) return false;
  return (net & mask) == (addr & mask);
}

bool uses_certificate_maps(const Peer& p) {
  return std::any_of(p.profiles.begin(), p.profiles.end(),
                     [](const Profile& f) { return !f.match_certificate.empty(); });
}

std::vector<std::size_t> matching_profiles(const Peer& responder, const Identity& id) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < responder.profiles.size(); ++i)
    for (const IdentityMatch& m : responder.profiles[i].match)
      if (identity_matches(m, id)) {
        out.push_back(i);
        break;
      }
  return out;
}

int bound_profile(const Scenario& s, std::size_t responder, const Identity& id, const ModelOptions& o) {
  const auto m = matching_profiles(s.peers[responder], id);
  if (m.empty()) return -1;
  const bool last = s.ike_version == IkeVersion::V2 || o.ikev1_profile_match == ProfileMatch::Last;
  return static_cast<int>(last ? m.back() : m.front());
}

bool proposals_agree(const Peer& a, const Peer& b) {
  const std::vector<Proposal> none{Proposal{}};
  const auto& pa = a.proposals.empty() ? none : a.proposals;
  const auto& pb = b.proposals.empty() ? none : b.proposals;
  return std::any_of(pa.begin(), pa.end(),
                     [&](const Proposal& x) { return std::find(pb.begin(), pb.end(), x) != pb.end(); });
}

bool cisco_pair(const Scenario& s) {
  return s.peers.size() == 2 && s.peers[0].personality == kCiscoIos && s.peers[1].personality == kCiscoIos;
}

namespace {

bool fail_why(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

std::set<CaIndex> enrolled_cas(const Scenario& s, const Peer& p) {
  std::set<CaIndex> out;
  for (const IdentityCert& c : p.certificates) out.insert(trustpoint_ca(s, p, c.trustpoint));
  return out;
}

std::set<CaIndex> trusted_cas(const Scenario& s, const Peer& p) {
  std::set<CaIndex> out;
  for (const Trustpoint& t : p.trustpoints) out.insert(ca_index(s, t.ca));
  return out;
}

// Whether the responder binds its tunnel profile for the initiator's identity. A cisco-ios
// responder follows V1-8 / V2-9 (and the options); for another personality the oracles do not
// assume a binding rule (strongSwan ranks matches, Libreswan switches connections), so the
// tunnel profile must be the only one that matches.
bool binds_tunnel_profile(const Scenario& s, std::size_t responder, const Identity& id, const ModelOptions& o) {
  const Peer& r = s.peers[responder];
  if (uses_certificate_maps(r)) return false;  // the facts match identities only (matching_profiles())
  if (r.personality == kCiscoIos) {
    const int bound = bound_profile(s, responder, id, o);
    return bound >= 0 && r.profiles[static_cast<std::size_t>(bound)].name == r.tunnel_profile;
  }
  const auto m = matching_profiles(r, id);
  return m.size() == 1 && r.profiles[m.front()].name == r.tunnel_profile;
}

}  // namespace

bool every_certificate_accepted(const Scenario& s, std::string* why) {
  if (s.peers.size() != 2) return fail_why(why, "not two peers");
  for (std::size_t p = 0; p < 2; ++p) {
    const Peer& me = s.peers[p];
    const Peer& other = s.peers[1 - p];
    const Profile* tunnel = find_profile(other, other.tunnel_profile);
    if (!tunnel) return fail_why(why, other.name + " has no tunnel profile");
    const std::vector<CaIndex> accepted = verify_restriction(s, other, *tunnel);
    for (const IdentityCert& c : me.certificates) {
      const CaIndex ca = trustpoint_ca(s, me, c.trustpoint);
      const bool trusted = std::any_of(other.trustpoints.begin(), other.trustpoints.end(),
                                       [&](const Trustpoint& t) { return trustpoint_ca(s, other, t.name) == ca; });
      const bool allowed = accepted.empty() || std::find(accepted.begin(), accepted.end(), ca) != accepted.end();
      if (!trusted || !allowed)
        return fail_why(why, me.name + "'s certificate " + c.trustpoint + " is not accepted by " + other.name + "'s " +
                                 tunnel->name);
    }
  }
  return true;
}

namespace {

// Common to P-1 and P-2: nothing outside the trust configuration may break a direction.
// Personality-neutral: P-1 and P-6 are universal (a conformant stack of any kind).
bool healthy_pair(const Scenario& s, const ModelOptions& o, std::string* why) {
  if (s.peers.size() != 2) return fail_why(why, "not two peers");
  if (s.aggressive_mode) return fail_why(why, "aggressive mode");
  if (!proposals_agree(s.peers[0], s.peers[1])) return fail_why(why, "proposals differ");
  for (std::size_t p = 0; p < 2; ++p) {
    const Peer& me = s.peers[p];
    const Peer& other = s.peers[1 - p];
    std::set<CaIndex> seen;
    for (const Trustpoint& t : me.trustpoints)
      if (!seen.insert(ca_index(s, t.ca)).second) return fail_why(why, me.name + " has two trustpoints for one CA");
    for (const IdentityCert& c : me.certificates) {
      if (c.revoked) return fail_why(why, me.name + " holds a revoked certificate");
      for (const std::string& f : c.features)
        if (std::find(other.unsupported_features.begin(), other.unsupported_features.end(), f) !=
            other.unsupported_features.end())
          return fail_why(why, other.name + " cannot verify feature " + f);
    }
    const Profile* tunnel = find_profile(me, me.tunnel_profile);
    if (!tunnel || tunnel->auth_local != AuthMethod::RsaSig || tunnel->auth_remote != AuthMethod::RsaSig)
      return fail_why(why, me.name + "'s tunnel profile is not rsa-sig both ways");
    // The other end must bind its own tunnel profile when `me` initiates.
    if (!binds_tunnel_profile(s, 1 - p, identity_sent(me, *tunnel), o))
      return fail_why(why, other.name + " does not bind its tunnel profile for " + me.name);
  }
  return true;
}

struct Memo {
  const Scenario* s = nullptr;
  const ModelOptions* o = nullptr;
  std::optional<bool> symmetric, unrestricted;
  std::string why_symmetric, why_unrestricted;
  Memo* outer = nullptr;  // caches nest (a shrink inside an evaluation)
};
thread_local Memo* t_memo = nullptr;

// Looks the answer up in the active cache, or computes and stores it.
template <typename F>
bool remembered(const Scenario& s, const ModelOptions& o, std::string* why, std::optional<bool> Memo::*answer,
                std::string Memo::*reason, F&& compute) {
  Memo* m = t_memo;
  if (!m || m->s != &s || m->o != &o) return compute(why);
  if (!(m->*answer)) m->*answer = compute(&(m->*reason));
  if (why) *why = m->*reason;
  return *(m->*answer);
}

bool compute_symmetric(const Scenario& s, const ModelOptions& o, std::string* why);
bool compute_unrestricted_shared(const Scenario& s, const ModelOptions& o, std::string* why);

}  // namespace

PreconditionCache::PreconditionCache(const Scenario& s, const ModelOptions& o) {
  t_memo = new Memo{&s, &o, {}, {}, {}, {}, t_memo};
}
PreconditionCache::~PreconditionCache() {
  Memo* m = t_memo;
  t_memo = m->outer;
  delete m;
}

bool is_symmetric(const Scenario& s, const ModelOptions& o, std::string* why) {
  return remembered(s, o, why, &Memo::symmetric, &Memo::why_symmetric,
                    [&](std::string* w) { return compute_symmetric(s, o, w); });
}

bool is_unrestricted_shared(const Scenario& s, const ModelOptions& o, std::string* why) {
  return remembered(s, o, why, &Memo::unrestricted, &Memo::why_unrestricted,
                    [&](std::string* w) { return compute_unrestricted_shared(s, o, w); });
}

namespace {

bool compute_symmetric(const Scenario& s, const ModelOptions& o, std::string* why) {
  if (!healthy_pair(s, o, why)) return false;
  const std::set<CaIndex> e0 = enrolled_cas(s, s.peers[0]);
  if (e0.empty()) return fail_why(why, "no identity certificates");
  for (const Peer& p : s.peers)
    if (enrolled_cas(s, p) != e0 || trusted_cas(s, p) != e0)
      return fail_why(why, p.name + " does not trust and hold certificates from exactly the same CA set");
  bool first = true;
  std::set<CaIndex> named;
  for (const Peer& p : s.peers)
    for (const Profile& f : p.profiles) {
      const auto any = cas_of(s, p, profile_trustpoints(f, Use::Any));
      std::set<CaIndex> mine(any.begin(), any.end());
      // V2-6: a sign / verify split is not "the same trustpoint set" for both purposes.
      const auto sign = cas_of(s, p, profile_trustpoints(f, Use::Sign));
      const auto verify = cas_of(s, p, profile_trustpoints(f, Use::Verify));
      if (std::set<CaIndex>(sign.begin(), sign.end()) != mine ||
          std::set<CaIndex>(verify.begin(), verify.end()) != mine)
        return fail_why(why, p.name + "'s profile " + f.name + " splits sign and verify trustpoints");
      if (first) named = mine;
      else if (mine != named) return fail_why(why, "profiles name different trustpoint sets");
      first = false;
    }
  // V2-4: an IOS IKEv2 initiator needs `pki trustpoint` (other stacks sign with any certificate).
  const bool any_cisco = s.peers[0].personality == kCiscoIos || s.peers[1].personality == kCiscoIos;
  if (s.ike_version == IkeVersion::V2 && named.empty() && any_cisco)
    return fail_why(why, "IKEv2 profiles without pki trustpoint");
  return true;
}

bool compute_unrestricted_shared(const Scenario& s, const ModelOptions& o, std::string* why) {
  if (s.ike_version != IkeVersion::V1) return fail_why(why, "not IKEv1");
  if (!cisco_pair(s)) return fail_why(why, "a peer is not cisco-ios");  // P-2 is the note's claim
  if (!healthy_pair(s, o, why)) return false;
  for (const Peer& p : s.peers)
    for (const Profile& f : p.profiles)
      if (!f.trustpoints.empty()) return fail_why(why, p.name + "'s profile " + f.name + " has ca trust-point");
  const auto e0 = enrolled_cas(s, s.peers[0]);
  const auto e1 = enrolled_cas(s, s.peers[1]);
  for (CaIndex ca : e0)
    if (e1.count(ca)) return true;  // enrolled implies trusted (the certificate sits under a trustpoint)
  return fail_why(why, "no CA shared by both ends");
}

}  // namespace

std::string direction_text(const Scenario& s, const Observation& o) {
  const std::string who = s.peers[o.initiator].name + " -> " + s.peers[o.responder()].name;
  if (o.up()) return who + ": UP";
  if (o.ike_sa == SaResult::Established && o.child_sa == SaResult::NotAttempted)  // a target that cannot observe it
    return who + ": IKE SA up (CHILD SA not observed)";
  if (o.ike_sa == SaResult::Established)
    return fmt::format("{}: IKE SA up, CHILD SA down at {} ({})", who, message_name(o.failed_at),
                       reason_code(o.reason));
  return fmt::format("{}: DOWN at {} ({})", who, message_name(o.failed_at), reason_code(o.reason));
}

std::string ca_list_text(const Scenario& s, const std::vector<CaIndex>& l) {
  std::string out;
  for (CaIndex ca : l) {
    if (!out.empty()) out += ", ";
    const auto i = static_cast<std::size_t>(ca);
    if (ca < 0) out += "?";
    else if (i < s.cas.size()) out += s.cas[i].id;
    else if (i - s.cas.size() < kPredefinedTrustpoints.size()) out += kPredefinedTrustpoints[i - s.cas.size()].name;
    else out += "?";
  }
  return "[" + out + "]";
}

std::vector<CaIndex> cas_in(const CertReqList& l) {
  std::vector<CaIndex> out;
  for (const CertReq& c : l) out.push_back(c.ca);
  return out;
}

}  // namespace ikeconform::facts
