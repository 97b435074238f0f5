#include "advice/fixes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "model/engine.hpp"

namespace ikeconform {
namespace {

std::string profile_header(const Scenario& s, const Profile& f) {
  return s.ike_version == IkeVersion::V1 ? "crypto isakmp profile " + f.name : "crypto ikev2 profile " + f.name;
}

std::string trustpoint_line(const Scenario& s, const ProfileTrustpoint& t) {
  if (s.ike_version == IkeVersion::V1) return "ca trust-point " + t.trustpoint;
  const char* use = t.use == TrustpointUse::Sign ? " sign" : t.use == TrustpointUse::Verify ? " verify" : "";
  return "pki trustpoint " + t.trustpoint + use;
}

std::string match_line(const Scenario& s, const IdentityMatch& m) {
  const bool v1 = s.ike_version == IkeVersion::V1;
  const std::string domain = m.domain ? "domain " : "";
  if (m.kind == IdKind::Fqdn) return (v1 ? "match identity host " : "match identity remote fqdn ") + domain + m.value;
  if (m.kind == IdKind::Email)
    return (v1 ? "match identity user-fqdn " : "match identity remote email ") + domain + m.value;
  std::string mask = m.mask.empty() ? "" : " " + m.mask;
  return (v1 ? "match identity address " : "match identity remote address ") + m.value + mask;
}

// A certificate map that holds every certificate `other` can send: one sequence per issuing CA,
// by issuer DN (known for every scenario CA, where an imported subject may not be).
std::optional<CertificateMap> issuer_map(const Scenario& s, const Peer& other) {
  CertificateMap m;
  m.name = other.name + "-DN";
  for (const IdentityCert& c : other.certificates) {
    const Trustpoint* t = find_trustpoint(other, c.trustpoint);
    const Ca* ca = t ? find_ca(s, t->ca) : nullptr;
    if (!ca) continue;
    const CertMapRule rule{CertField::IssuerName, CertMatchOp::Eq, ca->dn};
    if (std::any_of(m.entries.begin(), m.entries.end(), [&](const CertMapEntry& e) { return e.rules[0] == rule; }))
      continue;
    m.entries.push_back({static_cast<int>(10 * (m.entries.size() + 1)), {rule}});
  }
  if (m.entries.empty()) return std::nullopt;
  return m;
}

}  // namespace

bool both_directions_up(const Scenario& s, const ModelOptions& o) {
  ModelOptions quiet = o;
  quiet.trace = false;
  CompiledScenario cs = compile(s, quiet);
  return run_direction(cs, 0, quiet).up() && run_direction(cs, 1, quiet).up();
}

std::vector<std::pair<Change, Scenario>> candidate_changes(const Scenario& s) {
  std::vector<std::pair<Change, Scenario>> out;
  for (std::size_t pi = 0; pi < s.peers.size(); ++pi) {
    const Peer& p = s.peers[pi];
    for (std::size_t fi = 0; fi < p.profiles.size(); ++fi) {
      const Profile& f = p.profiles[fi];
      const std::string kind = s.ike_version == IkeVersion::V1 ? "isakmp" : "ikev2";
      for (const Trustpoint& t : p.trustpoints) {  // add a restriction line
        bool present = std::any_of(f.trustpoints.begin(), f.trustpoints.end(),
                                   [&](const ProfileTrustpoint& x) { return x.trustpoint == t.name; });
        if (present) continue;
        Scenario v = s;
        ProfileTrustpoint line{t.name, TrustpointUse::Both};
        v.peers[pi].profiles[fi].trustpoints.push_back(line);
        out.push_back({{pi,
                        fmt::format("add `{}` to {} profile {}", trustpoint_line(s, line), kind, f.name),
                        {profile_header(s, f), " " + trustpoint_line(s, line)}},
                       std::move(v)});
      }
      for (std::size_t ti = 0; ti < f.trustpoints.size(); ++ti) {  // remove a restriction line
        Scenario v = s;
        auto& tps = v.peers[pi].profiles[fi].trustpoints;
        tps.erase(tps.begin() + static_cast<std::ptrdiff_t>(ti));
        out.push_back(
            {{pi,
              fmt::format("remove `{}` from {} profile {}", trustpoint_line(s, f.trustpoints[ti]), kind, f.name),
              {profile_header(s, f), " no " + trustpoint_line(s, f.trustpoints[ti])}},
             std::move(v)});
      }
      if (p.profiles.size() > 1 && f.name != p.tunnel_profile)  // an overlapping profile (V2-9, V2-11)
        for (std::size_t mi = 0; mi < f.match.size(); ++mi) {
          Scenario v = s;
          auto& m = v.peers[pi].profiles[fi].match;
          m.erase(m.begin() + static_cast<std::ptrdiff_t>(mi));
          out.push_back(
              {{pi,
                fmt::format("remove `{}` from overlapping {} profile {}", match_line(s, f.match[mi]), kind, f.name),
                {profile_header(s, f), " no " + match_line(s, f.match[mi])}},
               std::move(v)});
        }
    }
    if (s.peers.size() == 2) {
      // The other router's identity, as it sends it, matched by one of this router's profiles: the
      // fix for a responder that matched none (V1-8 / V2-9) and fell back to its global
      // configuration, whose SA then has no IPsec policy in the tunnel's profile (V2-11).
      const PeerId theirs = tunnel_identity(s, 1 - pi);
      const std::string kind = s.ike_version == IkeVersion::V1 ? "isakmp" : "ikev2";
      // A DN sender: IOS has no `match identity` for a DN; a certificate map matches its certificate.
      const auto dn_map = theirs.kind == IdKind::Dn ? issuer_map(s, s.peers[1 - pi]) : std::nullopt;
      for (std::size_t fi = 0; dn_map && fi < p.profiles.size(); ++fi) {
        const Profile& f = p.profiles[fi];
        if (std::any_of(f.match_certificate.begin(), f.match_certificate.end(),
                        [&](const CertificateMap& m) { return m.name == dn_map->name; }))
          continue;
        Scenario v = s;
        v.peers[pi].profiles[fi].match_certificate.push_back(*dn_map);
        std::vector<std::string> ios;
        for (const CertMapEntry& e : dn_map->entries) {
          ios.push_back(fmt::format("crypto pki certificate map {} {}", dn_map->name, e.seq));
          ios.push_back(" issuer-name eq " + e.rules[0].value);
        }
        ios.push_back(profile_header(s, f));
        ios.push_back(" match certificate " + dn_map->name);
        out.push_back({{pi,
                        fmt::format("add `match certificate {}` (its certificate's issuer) to {} profile {} ({} "
                                    "sends its certificate's DN as its identity)",
                                    dn_map->name, kind, f.name, s.peers[1 - pi].name),
                        std::move(ios)},
                       std::move(v)});
      }
      for (std::size_t fi = 0; theirs.kind != IdKind::Dn && fi < p.profiles.size(); ++fi) {
        const Profile& f = p.profiles[fi];
        if (theirs.value.empty() || std::any_of(f.match.begin(), f.match.end(),
                                                [&](const IdentityMatch& m) { return identity_matches(m, theirs); }))
          continue;
        const IdentityMatch m{theirs.kind, std::string(theirs.value), ""};
        Scenario v = s;
        v.peers[pi].profiles[fi].match.push_back(m);
        out.push_back({{pi,
                        fmt::format("add `{}` to {} profile {} ({} sends that identity)", match_line(s, m), kind,
                                    f.name, s.peers[1 - pi].name),
                        {profile_header(s, f), " " + match_line(s, m)}},
                       std::move(v)});
      }
      // Or this router sends the other kind of identity from its tunnel's profile (V1-11).
      if (const Profile* t = find_profile(p, p.tunnel_profile)) {
        const bool to_fqdn = t->self_identity == IdKind::Address;
        if (!(to_fqdn && p.fqdn.empty()) && !(!to_fqdn && p.address.empty())) {
          Scenario v = s;
          for (Profile& f : v.peers[pi].profiles)
            if (f.name == t->name) f.self_identity = to_fqdn ? IdKind::Fqdn : IdKind::Address;
          const std::string line = s.ike_version == IkeVersion::V1
                                       ? (to_fqdn ? "self-identity fqdn" : "self-identity address")
                                       : (to_fqdn ? "identity local fqdn " + p.fqdn
                                                  : "identity local address " + p.address);
          out.push_back({{pi,
                          fmt::format("send {} `{}` from {} profile {}", to_fqdn ? "the FQDN" : "the address", line,
                                      kind, t->name),
                          {profile_header(s, *t), " " + line}},
                         std::move(v)});
        }
      }
    }
    for (std::size_t ci = 0; ci + 1 < p.certificates.size(); ++ci) {  // re-enroll: its certificate becomes the newest
      Scenario v = s;
      auto& certs = v.peers[pi].certificates;
      IdentityCert c = certs[ci];
      certs.erase(certs.begin() + static_cast<std::ptrdiff_t>(ci));
      certs.push_back(c);
      out.push_back({{pi,
                      fmt::format("re-enroll trustpoint {} so its certificate is listed first (V1-4)", c.trustpoint),
                      {"crypto pki enroll " + c.trustpoint}},
                     std::move(v)});
    }
  }
  return out;
}

std::vector<Fix> suggest_fixes(const Scenario& s, const ModelOptions& o, std::size_t limit) {
  std::vector<Fix> fixes;
  if (both_directions_up(s, o)) return fixes;
  auto singles = candidate_changes(s);
  for (auto& [change, applied] : singles) {
    if (fixes.size() >= limit) return fixes;
    if (both_directions_up(applied, o)) fixes.push_back({{change}});
  }
  if (!fixes.empty()) return fixes;
  // Pairs: apply a second change on top of each first one.
  for (std::size_t i = 0; i < singles.size(); ++i) {
    auto seconds = candidate_changes(singles[i].second);
    for (auto& [change, applied] : seconds) {
      if (fixes.size() >= limit) return fixes;
      if (both_directions_up(applied, o)) fixes.push_back({{singles[i].first, change}});
    }
  }
  return fixes;
}

}  // namespace ikeconform
