#include "model/engine.hpp"

#include <algorithm>
#include <stdexcept>

#include "model/dn.hpp"
#include "model/personality.hpp"
#include "model/predefined.hpp"

namespace ikeconform {

bool parse_ipv4(std::string_view s, std::uint32_t& out) {
  std::uint32_t v = 0;
  int parts = 0;
  std::size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    std::uint32_t octet = 0;
    std::size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      octet = octet * 10 + static_cast<std::uint32_t>(s[i] - '0');
      ++i;
      ++digits;
    }
    if (octet > 255 || digits > 3) return false;
    v = (v << 8) | octet;
    if (++parts < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  if (i != s.size()) return false;
  out = v;
  return true;
}

static bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lx = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
           auto ly = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
           return lx == ly;
         });
}

// `... domain NAME`: an FQDN in that domain is NAME itself or ends in ".NAME" (whole labels,
// case-insensitive); an e-mail address is in it when its part after '@' is NAME.
static bool in_domain(IdKind kind, std::string_view domain, std::string_view id) {
  if (kind == IdKind::Email) {
    const auto at = id.rfind('@');
    return at != std::string_view::npos && iequals(id.substr(at + 1), domain);
  }
  if (iequals(id, domain)) return true;
  return id.size() > domain.size() && id[id.size() - domain.size() - 1] == '.' &&
         iequals(id.substr(id.size() - domain.size()), domain);
}

// V1-8 / V2-9: `match identity host|address|user-fqdn` / `remote fqdn|address|email` against the
// received ID payload. The ID type must be the line's: an e-mail identity never matches an FQDN
// line, a DN identity no line at all (IOS has none for it; `match certificate` serves DN senders).
bool identity_matches(const IdentityMatch& m, const PeerId& id) {
  if (m.kind != id.kind || id.value.empty()) return false;
  if (m.kind == IdKind::Fqdn || m.kind == IdKind::Email)
    return m.domain ? in_domain(m.kind, m.value, id.value) : iequals(m.value, id.value);
  if (m.kind == IdKind::Dn) return certificate_map_text(m.value) == certificate_map_text(id.value);
  std::uint32_t addr = 0, mask = 0xffffffffu;
  if (!parse_ipv4(m.value, addr)) return false;
  if (!m.mask.empty() && !parse_ipv4(m.mask, mask)) return false;
  return (addr & mask) == (id.ipv4 & mask);
}

PeerId tunnel_identity(const Scenario& s, std::size_t peer) {
  const Peer& p = s.peers.at(peer);
  const Profile* t = find_profile(p, p.tunnel_profile);
  if (t && t->self_identity == IdKind::Fqdn && !p.fqdn.empty()) return {IdKind::Fqdn, p.fqdn, 0};
  if (t && t->self_identity == IdKind::Email) return {IdKind::Email, t->self_identity_value, 0};
  if (t && t->self_identity == IdKind::Dn) return {IdKind::Dn, {}, 0};
  PeerId id{IdKind::Address, p.address, 0};
  parse_ipv4(p.address, id.ipv4);
  return id;
}

// A DN or value as `crypto pki certificate map` compares it: lower case, no blanks around `=`
// and `,` (IOS prints `ou = green`, DNs as `cn=R1,o=cisco`), other blanks kept.
std::string certificate_map_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t') {
      std::size_t j = i;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      const bool around = j == s.size() || s[j] == '=' || s[j] == ',' || out.empty() || out.back() == '=' ||
                          out.back() == ',';
      if (!around) out += ' ';
      i = j - 1;
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// `crypto pki certificate map`: a sequence matches when all its lines hold, the map when one
// sequence does. A line on a DN that is not known (empty) cannot be decided.
CertMapResult certificate_map_matches(const CertificateMap& m, std::string_view subject, std::string_view issuer) {
  bool unknown = false;
  for (const CertMapEntry& e : m.entries) {
    bool all = true, entry_unknown = false;
    for (const CertMapRule& r : e.rules) {
      std::string_view field = r.field == CertField::SubjectName ? subject : issuer;
      if (field.empty()) {
        entry_unknown = true;
        continue;
      }
      const std::string have = certificate_map_text(field), want = certificate_map_text(r.value);
      bool holds = false;
      switch (r.op) {
        case CertMatchOp::Eq: holds = have == want; break;
        case CertMatchOp::Ne: holds = have != want; break;
        case CertMatchOp::Co: holds = have.find(want) != std::string::npos; break;
        case CertMatchOp::Nc: holds = have.find(want) == std::string::npos; break;
      }
      if (!holds) {
        all = false;
        break;
      }
    }
    if (!all) continue;  // a line that fails decides this sequence whatever the unknown ones say
    if (!entry_unknown) return CertMapResult::Match;
    unknown = true;
  }
  return unknown ? CertMapResult::Unknown : CertMapResult::NoMatch;
}

// V1-13: a certificate feature (X.509 v1, a signature hash) the verifier cannot handle.
bool has_feature_gap(const PeerCtx& verifier, const IdentityCert& cert) {
  for (const std::string& f : cert.features)
    if (std::find(verifier.peer->unsupported_features.begin(), verifier.peer->unsupported_features.end(), f) !=
        verifier.peer->unsupported_features.end())
      return true;
  return false;
}

std::string_view id_type_text(IdKind k) {
  switch (k) {
    case IdKind::Fqdn: return "FQDN";
    case IdKind::Address: return "IPv4 address";
    case IdKind::Dn: return "DER ASN1 DN";
    case IdKind::Email: return "RFC822 address";
  }
  return "?";
}

PeerId PeerCtx::identity(const Profile& p, TpIndex sent) const {
  // V1-11 / section 7: the configured identity. `self-identity fqdn` sends ID type FQDN; `email`
  // (IKEv1 `user-fqdn`) the configured address; `dn` the subject of the certificate this
  // exchange sends (RFC 7296 §3.5 ID_DER_ASN1_DN: "the binary DER encoding of an ASN.1 X.500
  // Distinguished Name"); otherwise the address.
  switch (p.self_identity) {
    case IdKind::Fqdn: return {IdKind::Fqdn, peer->fqdn, 0};
    case IdKind::Email: return {IdKind::Email, p.self_identity_value, 0};
    case IdKind::Dn:
      if (!enrolled(sent) || subjects.empty()) return {IdKind::Dn, {}, 0};
      return {IdKind::Dn, subjects[static_cast<std::size_t>(cert[static_cast<std::size_t>(sent)])], 0};
    case IdKind::Address: break;
  }
  return {IdKind::Address, peer->address, ipv4};
}

std::string_view Negotiation::ca_dn(CaIndex ca) const {
  const auto& cas = cs.scenario->cas;
  auto i = static_cast<std::size_t>(ca);
  if (i < cas.size()) return cas[i].dn;
  // On the wire a CERT_REQ may name a CA the scenario does not know (kNone): fuzz-peer found
  // the emulated responder dying of it in this trace line.
  if (ca < 0 || i - cas.size() >= kPredefinedTrustpoints.size()) return "(a CA this router does not know)";
  return kPredefinedTrustpoints[i - cas.size()].dn;
}

std::string_view Negotiation::tp_name(const PeerCtx& p, TpIndex tp) const {
  auto i = static_cast<std::size_t>(tp);
  if (i < p.peer->trustpoints.size()) return p.peer->trustpoints[i].name;
  if (tp < 0 || i - p.peer->trustpoints.size() >= kPredefinedTrustpoints.size()) return "(no trustpoint)";
  return kPredefinedTrustpoints[i - p.peer->trustpoints.size()].name;
}

namespace {

void add_unique_ca(CertReqList& l, CaIndex ca, TpIndex tp) {
  for (const CertReq& c : l)
    if (c.ca == ca) return;
  l.push_back({ca, tp});
}

PeerCtx compile_peer(const Scenario& s, std::size_t index, const ModelOptions& o) {
  const Peer& p = s.peers[index];
  PeerCtx c;
  c.peer = &p;
  c.index = index;
  c.personality = find_personality(p.personality);
  if (!c.personality) throw std::invalid_argument("peer '" + p.name + "': unknown personality '" + p.personality + "'");
  if (p.trustpoints.size() > 1000 || s.cas.size() > 1000) throw std::invalid_argument("too many trustpoints or CAs");
  c.user_tps = static_cast<std::int16_t>(p.trustpoints.size());
  for (const Trustpoint& t : p.trustpoints) {
    auto ca = index_of(s.cas, t.ca, &Ca::id);
    if (ca == kNone)
      throw std::invalid_argument("peer '" + p.name + "': trustpoint '" + t.name + "' names unknown CA '" + t.ca + "'");
    c.tp_ca.push_back(ca);
    c.cert.push_back(kNone);
  }
  if (o.predefined_trustpoints)
    for (std::size_t k = 0; k < kPredefinedTrustpoints.size(); ++k) c.tp_ca.push_back(predefined_ca_index(s.cas, k));
  c.all_tps = static_cast<std::int16_t>(c.tp_ca.size());
  for (std::size_t i = 0; i < p.certificates.size(); ++i) {
    auto tp = index_of(p.trustpoints, p.certificates[i].trustpoint, &Trustpoint::name);
    if (tp == kNone) throw std::invalid_argument("peer '" + p.name + "': certificate under unknown trustpoint");
    c.cert[static_cast<std::size_t>(tp)] = static_cast<std::int16_t>(i);
  }
  // Section 1: `show crypto pki certificates` lists the most recently enrolled first.
  for (auto it = p.certificates.rbegin(); it != p.certificates.rend(); ++it)
    c.store.push_back(index_of(p.trustpoints, it->trustpoint, &Trustpoint::name));
  // V1-4: issuers in store order, then CA-only trustpoints, then the predefined ones; no duplicates.
  for (TpIndex tp : c.store) add_unique_ca(c.global_certreq, c.ca_of(tp), tp);
  auto ca_only = [&](TpIndex tp) {
    if (!c.enrolled(tp)) add_unique_ca(c.global_certreq, c.ca_of(tp), tp);
  };
  if (o.ca_only_order == CaOnlyOrder::ReverseAuthenticate)
    for (TpIndex tp = static_cast<TpIndex>(c.user_tps - 1); tp >= 0; --tp) ca_only(tp);
  else
    for (TpIndex tp = 0; tp < c.user_tps; ++tp) ca_only(tp);
  for (TpIndex tp = c.user_tps; tp < c.all_tps; ++tp) add_unique_ca(c.global_certreq, c.ca_of(tp), tp);
  c.tunnel = index_of(p.profiles, p.tunnel_profile, &Profile::name);
  if (c.tunnel == kNone)
    throw std::invalid_argument("peer '" + p.name + "': tunnel profile '" + p.tunnel_profile + "' is not defined");
  for (const Profile& f : p.profiles)
    for (const ProfileTrustpoint& pt : f.trustpoints)
      if (index_of(p.trustpoints, pt.trustpoint, &Trustpoint::name) == kNone)
        throw std::invalid_argument("peer '" + p.name + "': profile '" + f.name + "' names unknown trustpoint '" +
                                    pt.trustpoint + "'");
  if (!parse_ipv4(p.address, c.ipv4)) c.ipv4 = 0;
  if (std::any_of(p.profiles.begin(), p.profiles.end(), [](const Profile& f) { return f.self_identity == IdKind::Dn; }))
    c.subjects = certificate_subjects(s, p);
  return c;
}

}  // namespace

CompiledScenario compile(const Scenario& s, const ModelOptions& o) {
  if (s.peers.size() != 2) throw std::invalid_argument("a scenario has exactly two peers");
  CompiledScenario cs;
  cs.scenario = &s;
  cs.peers[0] = compile_peer(s, 0, o);
  cs.peers[1] = compile_peer(s, 1, o);
  cs.ca_count = static_cast<std::int16_t>(s.cas.size() +
                                          (o.predefined_trustpoints ? kPredefinedTrustpoints.size() : 0));
  return cs;
}

Observation run_direction(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o) {
  if (initiator > 1) throw std::invalid_argument("initiator must be 0 or 1");
  return cs.scenario->ike_version == IkeVersion::V1 ? run_ikev1(cs, initiator, o) : run_ikev2(cs, initiator, o);
}

Observation run_direction(const Scenario& s, std::uint8_t initiator, const ModelOptions& o) {
  CompiledScenario cs = compile(s, o);
  return run_direction(cs, initiator, o);
}

}  // namespace ikeconform

namespace ikeconform {

bool proposals_agree(const Peer& a, const Peer& b) {
  static const std::vector<Proposal> kDefault{Proposal{}};
  const auto& pa = a.proposals.empty() ? kDefault : a.proposals;
  const auto& pb = b.proposals.empty() ? kDefault : b.proposals;
  for (const Proposal& x : pa)
    if (std::find(pb.begin(), pb.end(), x) != pb.end()) return true;
  return false;
}

CertCheck check_certificate(const PeerCtx& verifier, const TpList& list, const PeerCtx& sender, TpIndex sent) {
  const CaIndex issuer = sender.ca_of(sent);
  auto anchor = std::find_if(list.begin(), list.end(), [&](TpIndex t) { return verifier.ca_of(t) == issuer; });
  if (anchor == list.end()) return CertCheck::NoSuitableTrustpoint;
  const IdentityCert& cert = sender.certificate(sent);
  if (has_feature_gap(verifier, cert)) return CertCheck::UnsupportedFeature;
  // Section 7: the CRL check passes unless the scenario marks the certificate revoked.
  if (cert.revoked && *anchor < verifier.user_tps &&
      verifier.peer->trustpoints[static_cast<std::size_t>(*anchor)].revocation_check == Revocation::Crl)
    return CertCheck::Revoked;
  return CertCheck::Ok;
}

std::string join_tp_names(const Negotiation& n, const PeerCtx& p, const TpList& list) {
  std::string out;
  for (TpIndex t : list) {
    out += n.tp_name(p, t);
    out += ", ";
  }
  return out.empty() ? out : out.substr(0, out.size() - 2);
}

void conclude_child_sa(Observation& obs, const PeerCtx& responder, Trace& trace, IkeVersion v) {
  // An IKEv1 SA on the global configuration fits a tunnel that names no ISAKMP profile.
  if (obs.responder_profile == responder.tunnel ||
      (v == IkeVersion::V1 && obs.responder_profile == kNone && responder.tunnel_is_global())) {
    obs.child_sa = SaResult::Established;
    return;
  }
  trace("map_db_check_isakmp_profile profile did not match");
  trace("map_db_find_best did not find matching map");
  trace("IPSEC(ipsec_process_proposal): proxy identities not supported");
  if (v == IkeVersion::V2) {
    trace("IKEv2:(SA ID = 1):There was no IPSEC policy found for received TS");
    trace("IKEv2:(SA ID = 1):Sending TS unacceptable notify");
  } else {
    // IKEv1 has no TS_UNACCEPTABLE: IOS refuses the quick mode's proxy identities with its own
    // notify (RFC 2408 §3.14.1, INVALID-ID-INFORMATION).
    trace("ISAKMP:(0): IPSec policy invalidated proposal with error 32");
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (R) QM_IDLE (INVALID_ID_INFORMATION)",
          responder.peer->address);
  }
  obs.child_sa = SaResult::Failed;
  obs.failed_at = v == IkeVersion::V2 ? Message::IKE_AUTH : Message::QM1;
  obs.reason = v == IkeVersion::V2 ? Reason::TsUnacceptable : Reason::InvalidIdInformation;
}

}  // namespace ikeconform
