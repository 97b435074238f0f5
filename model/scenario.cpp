#include "model/scenario.hpp"

#include <algorithm>
#include <set>

namespace ikeconform {

std::string_view cert_field_name(CertField f) { return f == CertField::SubjectName ? "subject-name" : "issuer-name"; }

std::string_view cert_match_op_name(CertMatchOp o) {
  switch (o) {
    case CertMatchOp::Eq: return "eq";
    case CertMatchOp::Ne: return "ne";
    case CertMatchOp::Co: return "co";
    case CertMatchOp::Nc: return "nc";
  }
  return "?";
}

std::string_view id_kind_name(IdKind k) {
  switch (k) {
    case IdKind::Fqdn: return "fqdn";
    case IdKind::Address: return "address";
    case IdKind::Dn: return "dn";
    case IdKind::Email: return "email";
  }
  return "?";
}

std::optional<std::string> dn_email_identity_use(const Scenario& s) {
  for (const Peer& p : s.peers)
    for (const Profile& f : p.profiles) {
      const std::string who = p.name + "'s profile " + f.name;
      if (f.self_identity == IdKind::Dn || f.self_identity == IdKind::Email)
        return who + " sends a " + std::string(id_kind_name(f.self_identity)) + " identity";
      for (const IdentityMatch& m : f.match)
        if (m.kind == IdKind::Email || m.kind == IdKind::Dn || m.domain)
          return who + " matches " + std::string(id_kind_name(m.kind)) + (m.domain ? " domain " : " ") + m.value;
    }
  return std::nullopt;
}

const Ca* find_ca(const Scenario& s, const std::string& id) {
  auto it = std::find_if(s.cas.begin(), s.cas.end(), [&](const Ca& c) { return c.id == id; });
  return it == s.cas.end() ? nullptr : &*it;
}

const Trustpoint* find_trustpoint(const Peer& p, const std::string& name) {
  auto it = std::find_if(p.trustpoints.begin(), p.trustpoints.end(),
                         [&](const Trustpoint& t) { return t.name == name; });
  return it == p.trustpoints.end() ? nullptr : &*it;
}

const Profile* find_profile(const Peer& p, const std::string& name) {
  auto it = std::find_if(p.profiles.begin(), p.profiles.end(), [&](const Profile& f) { return f.name == name; });
  return it == p.profiles.end() ? nullptr : &*it;
}

std::vector<std::string> validate(const Scenario& s) {
  std::vector<std::string> problems;
  auto bad = [&](std::string m) { problems.push_back(std::move(m)); };
  std::set<std::string> ca_ids;
  for (const Ca& c : s.cas) {
    if (c.id.empty()) bad("a CA has an empty id");
    if (c.dn.empty()) bad("CA '" + c.id + "' has an empty dn");
    if (!ca_ids.insert(c.id).second) bad("CA id '" + c.id + "' is defined twice");
  }
  if (s.peers.size() != 2) bad("a scenario has exactly two peers, this one has " + std::to_string(s.peers.size()));
  std::set<std::string> peer_names;
  for (const Peer& p : s.peers) {
    const std::string who = "peer '" + p.name + "'";
    if (p.name.empty()) bad("a peer has an empty name");
    if (!peer_names.insert(p.name).second) bad(who + " is defined twice");
    std::set<std::string> tps;
    for (const Trustpoint& t : p.trustpoints) {
      if (t.name.empty()) bad(who + ": a trustpoint has an empty name");
      if (!tps.insert(t.name).second) bad(who + ": trustpoint '" + t.name + "' is defined twice");
      if (!find_ca(s, t.ca)) bad(who + ": trustpoint '" + t.name + "' names unknown CA '" + t.ca + "'");
    }
    std::set<std::string> enrolled;
    for (const IdentityCert& c : p.certificates) {
      if (!find_trustpoint(p, c.trustpoint))
        bad(who + ": certificate enrolled under unknown trustpoint '" + c.trustpoint + "'");
      if (!enrolled.insert(c.trustpoint).second)
        bad(who + ": trustpoint '" + c.trustpoint + "' holds two identity certificates");
    }
    std::set<std::string> profs;
    for (const Profile& f : p.profiles) {
      if (f.name.empty()) bad(who + ": a profile has an empty name");
      if (!profs.insert(f.name).second) bad(who + ": profile '" + f.name + "' is defined twice");
      for (const ProfileTrustpoint& pt : f.trustpoints)
        if (!find_trustpoint(p, pt.trustpoint))
          bad(who + ": profile '" + f.name + "' names unknown trustpoint '" + pt.trustpoint + "'");
      for (const IdentityMatch& m : f.match) {
        if (m.value.empty()) bad(who + ": profile '" + f.name + "' has an empty match identity");
        // IOS has no `match identity` for a DN (a certificate map serves it), nor a domain of an address.
        if (m.kind == IdKind::Dn)
          bad(who + ": profile '" + f.name + "' matches a DN identity: use match_certificate for DN senders");
        if (m.domain && m.kind != IdKind::Fqdn && m.kind != IdKind::Email)
          bad(who + ": profile '" + f.name + "' matches a domain of an address");
      }
      if (f.self_identity == IdKind::Email && f.self_identity_value.find('@') == std::string::npos)
        bad(who + ": profile '" + f.name + "' sends an e-mail identity without an address (self_identity_value)");
      if (f.self_identity != IdKind::Email && !f.self_identity_value.empty())
        bad(who + ": profile '" + f.name + "' has a self_identity_value, which only an e-mail identity takes");
      for (const CertificateMap& m : f.match_certificate)
        for (const CertMapEntry& e : m.entries)
          for (const CertMapRule& r : e.rules)
            if (r.value.empty())
              bad(who + ": profile '" + f.name + "' has an empty value in certificate map '" + m.name + "'");
    }
    if (p.tunnel_profile.empty()) bad(who + ": no tunnel profile");
    else if (!find_profile(p, p.tunnel_profile))
      bad(who + ": tunnel profile '" + p.tunnel_profile + "' is not defined");
  }
  return problems;
}

}  // namespace ikeconform
