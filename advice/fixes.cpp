#include "advice/fixes.hpp"

#include <fmt/format.h>

#include <algorithm>

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
  std::string mask = m.mask.empty() ? "" : " " + m.mask;
  if (s.ike_version == IkeVersion::V1)
    return m.kind == IdKind::Fqdn ? "match identity host " + m.value : "match identity address " + m.value + mask;
  return m.kind == IdKind::Fqdn ? "match identity remote fqdn " + m.value
                                : "match identity remote address " + m.value + mask;
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
      for (std::size_t fi = 0; fi < p.profiles.size(); ++fi) {
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
