#include "model/strongswan.hpp"

#include <algorithm>

#include "model/engine.hpp"

namespace ikeconform {

namespace {

TpIndex trustpoint_index(const Peer& p, const std::string& name) {
  for (std::size_t i = 0; i < p.trustpoints.size(); ++i)
    if (p.trustpoints[i].name == name) return static_cast<TpIndex>(i);
  return kNone;
}

bool knows_ca(const Scenario& s, const std::string& id) {
  return std::any_of(s.cas.begin(), s.cas.end(), [&](const Ca& c) { return c.id == id; });
}

// Appends trustpoint `t` unless a trustpoint of the same CA is already there.
void add_per_ca(const Peer& p, StrongswanTps& out, TpIndex t) {
  const std::string& ca = p.trustpoints[static_cast<std::size_t>(t)].ca;
  for (TpIndex o : out)
    if (p.trustpoints[static_cast<std::size_t>(o)].ca == ca) return;
  out.push_back(t);
}

}  // namespace

StrongswanTps strongswan_ca_load_order(const Scenario& s, const Peer& p) {
  StrongswanTps out;
  for (std::size_t i = 0; i < p.trustpoints.size(); ++i)
    if (knows_ca(s, p.trustpoints[i].ca)) add_per_ca(p, out, static_cast<TpIndex>(i));  // else: the renderer refuses it
  return out;
}

boost::container::small_vector<std::size_t, 12> strongswan_local_certs(const Peer& p) {
  boost::container::small_vector<std::size_t, 12> out;
  for (std::size_t k = p.certificates.size(); k-- > 0;) out.push_back(k);
  return out;
}

StrongswanTps strongswan_remote_cacerts(const Scenario& s, const Peer& p, const Profile& f) {
  StrongswanTps out;
  if (f.auth_remote != AuthMethod::RsaSig) return out;  // `auth = psk`: no CA to name
  for (const ProfileTrustpoint& pt : f.trustpoints) {
    if (s.ike_version == IkeVersion::V2 && pt.use == TrustpointUse::Sign) continue;  // V2-3: signing only
    const TpIndex t = trustpoint_index(p, pt.trustpoint);
    if (t != kNone && knows_ca(s, p.trustpoints[static_cast<std::size_t>(t)].ca)) add_per_ca(p, out, t);
  }
  return out;
}

bool strongswan_loads_psk(const Peer& p) {
  return std::any_of(p.profiles.begin(), p.profiles.end(), [](const Profile& f) {
    return f.auth_local == AuthMethod::PreShare || f.auth_remote == AuthMethod::PreShare;
  });
}

std::optional<IdentityMatch> strongswan_remote_id(const Scenario& s, std::size_t peer, const Profile& f) {
  if (f.match.empty()) return std::nullopt;
  const Peer& other = s.peers.at(1 - peer);
  const PeerId presented = tunnel_identity(s, 1 - peer);
  for (const IdentityMatch& m : f.match)
    if (identity_matches(m, presented))
      return m.kind == IdKind::Fqdn ? m : IdentityMatch{IdKind::Address, other.address, ""};
  return f.match.front();
}

std::optional<std::string> strongswan_identity_gap(const Scenario& s) {
  if (auto use = dn_email_identity_use(s))
    return *use + ": the strongSwan mapping renders FQDN and address identities only";
  return std::nullopt;
}

}  // namespace ikeconform
