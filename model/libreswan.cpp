#include "model/libreswan.hpp"

#include <algorithm>
#include <stdexcept>

#include "model/engine.hpp"

namespace ikeconform {
namespace {

// The trustpoints whose CAs may appear in `rightca=`: the profile's restriction, one per CA.
std::vector<TpIndex> restriction(const Peer& p, const Profile& f, IkeVersion v) {
  std::vector<TpIndex> out;
  std::vector<std::string> cas;
  for (const ProfileTrustpoint& pt : f.trustpoints) {
    if (v == IkeVersion::V2 && pt.use == TrustpointUse::Sign) continue;  // V2-6: sign-only does not verify
    const TpIndex t = index_of(p.trustpoints, pt.trustpoint, &Trustpoint::name);
    if (t == kNone) continue;
    const std::string& ca = p.trustpoints[static_cast<std::size_t>(t)].ca;
    if (std::find(cas.begin(), cas.end(), ca) != cas.end()) continue;
    cas.push_back(ca);
    out.push_back(t);
  }
  return out;
}

}  // namespace

std::vector<LibreswanConn> libreswan_conns(const Peer& p, IkeVersion v) {
  std::vector<LibreswanConn> out;
  for (std::size_t fi = 0; fi < p.profiles.size(); ++fi) {
    const Profile& f = p.profiles[fi];
    std::vector<std::pair<std::int16_t, TpIndex>> certs;  // (certificate, its trustpoint)
    if (f.auth_local == AuthMethod::RsaSig)
      for (std::size_t k = 0; k < p.certificates.size(); ++k)
        certs.emplace_back(static_cast<std::int16_t>(k),
                           index_of(p.trustpoints, p.certificates[k].trustpoint, &Trustpoint::name));
    if (certs.empty()) certs.emplace_back(kNone, kNone);
    std::vector<TpIndex> cas;
    if (f.auth_remote == AuthMethod::RsaSig) cas = restriction(p, f, v);
    if (cas.empty()) cas.push_back(kNone);
    for (const auto& [cert, tp] : certs)
      for (TpIndex ca : cas) out.push_back({static_cast<std::int16_t>(fi), cert, tp, ca});
  }
  return out;
}

namespace {
bool is_subnet(const IdentityMatch& m) {
  return m.kind == IdKind::Address && !m.mask.empty() && m.mask != "255.255.255.255";
}
}  // namespace

const IdentityMatch* libreswan_rightid(const Scenario& s, std::size_t peer, const Profile& f) {
  if (f.match.empty()) return nullptr;
  const PeerId presented = tunnel_identity(s, 1 - peer);
  for (const IdentityMatch& m : f.match)
    if (!is_subnet(m) && identity_matches(m, presented)) return &m;
  const IdentityMatch& m = f.match.front();
  return is_subnet(m) ? nullptr : &m;
}

std::size_t libreswan_initiator_conn(const Peer& p, const std::vector<LibreswanConn>& conns) {
  const std::int16_t tunnel = index_of(p.profiles, p.tunnel_profile, &Profile::name);
  std::size_t best = conns.size();
  for (std::size_t i = 0; i < conns.size(); ++i) {
    if (conns[i].profile != tunnel) continue;
    // Strictly newer only: of one certificate's connections the first rightca wins.
    if (best == conns.size() || conns[i].cert > conns[best].cert) best = i;
  }
  if (best == conns.size())
    throw std::invalid_argument("peer '" + p.name + "': tunnel profile '" + p.tunnel_profile + "' has no connection");
  return best;
}

std::optional<std::string> libreswan_identity_gap(const Scenario& s) {
  if (auto use = dn_email_identity_use(s))
    return *use + ": the Libreswan mapping renders FQDN and address identities only";
  return std::nullopt;
}

}  // namespace ikeconform
