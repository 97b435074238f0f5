// Two routers' configurations (+ optional show output) -> one vendor-neutral Scenario.
// docs/ios-import.md states every rule applied here.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ios/ios.hpp"
#include "ios/text.hpp"
#include "model/input_error.hpp"

namespace ikeconform::ios {
namespace {

using namespace detail;

struct Router {
  const RouterInput* in = nullptr;
  IosConfig cfg;
  std::optional<ShowCerts> show;
  std::string name, stem;
  const Interface* tunnel = nullptr;  // the tunnel interface, or the one carrying the crypto map
  TunnelChoice choice;
  std::vector<std::string> tunnel_peers;
  bool global_profile = false;         // IKEv1 without an ISAKMP profile: the global configuration
  bool global_among_profiles = false;  // ... on a router that has ISAKMP profiles for other peers
  IkeVersion version = IkeVersion::V1;
  std::string tunnel_profile;
  int tunnel_line = 0;
  std::map<std::string, std::string> tp_dn;  // trustpoint -> CA subject DN, when known
  std::map<std::string, std::string> tp_ca;  // trustpoint -> scenario CA id
};

template <class T>
const T* find_named(const std::vector<T>& v, const std::string& name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
  return it == v.end() ? nullptr : &*it;
}

std::string warning(const std::string& file, int line, const std::string& msg) {
  return file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": warning: " + msg;
}

// ---- loading and the tunnel binding ----

Router load(const RouterInput& in, std::vector<std::string>& warnings, std::vector<std::string>& skipped) {
  Router r;
  r.in = &in;
  r.cfg = parse_ios_config(in.text, in.file);
  warnings.insert(warnings.end(), r.cfg.warnings.begin(), r.cfg.warnings.end());
  skipped.insert(skipped.end(), r.cfg.skipped.begin(), r.cfg.skipped.end());
  if (in.show_text) {
    r.show = parse_show_certs(*in.show_text, in.show_file.value_or(in.file + ".show"));
    warnings.insert(warnings.end(), r.show->warnings.begin(), r.show->warnings.end());
  }
  r.stem = file_stem(in.file);
  r.name = r.cfg.hostname.empty() ? r.stem : r.cfg.hostname;
  if (r.show && !r.show->hostname.empty() && !r.cfg.hostname.empty() && r.show->hostname != r.cfg.hostname)
    warnings.push_back(
        warning(r.show->file, r.show->hostname_line,
                "show output is from '" + r.show->hostname + "' but " + in.file + " is '" + r.cfg.hostname + "'"));
  return r;
}

// ---- the tunnel between the two routers (issue 10: tunnel destination, crypto-map peer, NHRP) ----

// A way this router protects traffic: a tunnel interface with `tunnel protection`, or a crypto
// map entry applied to an interface.
struct Candidate {
  std::string label;                 // "Tunnel1", "crypto map CMAP 10 (GigabitEthernet0/0)"
  const Interface* iface = nullptr;  // the tunnel, or the interface carrying the map
  std::vector<std::string> peers;    // addresses it initiates to
  bool initiates = true;             // false: DMVPN hub multipoint tunnel, dynamic crypto map
  std::string why_not;               // why it cannot initiate
  NameRef v1, v2;                    // set isakmp-profile / set ikev2-profile
  int line = 0;
};

std::vector<Candidate> candidates(const IosConfig& c) {
  std::vector<Candidate> out;
  for (const auto& i : c.interfaces) {
    if (!i.tunnel_protection.name.empty()) {
      const IpsecProfile* ip = find_named(c.ipsec_profiles, i.tunnel_protection.name);
      Candidate k{i.name, &i, {}, true, {}, ip->isakmp_profile, ip->ikev2_profile, ip->line};
      if (!i.tunnel_destination.empty()) k.peers.push_back(i.tunnel_destination);
      for (const auto& a : i.nhrp_nbma) k.peers.push_back(a);
      if (k.peers.empty()) {
        k.initiates = false;
        k.why_not = i.multipoint
                        ? i.name + " is a multipoint (DMVPN hub) tunnel without NHRP servers: spokes initiate to it"
                        : i.name + " has no tunnel destination";
      }
      out.push_back(std::move(k));
    }
    if (i.crypto_map.name.empty()) continue;
    for (const auto& m : c.crypto_maps) {
      if (m.dynamic_map || m.name != i.crypto_map.name) continue;
      auto label = "crypto map " + m.name + " " + std::to_string(m.seq) + " (" + i.name + ")";
      if (!m.dynamic_ref.name.empty()) {  // each entry of the dynamic map answers any peer
        for (const auto& d : c.crypto_maps)
          if (d.dynamic_map && d.name == m.dynamic_ref.name)
            out.push_back(Candidate{label,
                                    &i,
                                    {},
                                    false,
                                    "its entry is the dynamic map " + d.name + ": it only answers",
                                    d.isakmp_profile,
                                    d.ikev2_profile,
                                    d.line});
        continue;
      }
      out.push_back(Candidate{label, &i, m.peers, true, {}, m.isakmp_profile, m.ikev2_profile, m.line});
    }
  }
  return out;
}

std::vector<std::string> addresses(const IosConfig& c) {
  std::vector<std::string> out;
  for (const auto& i : c.interfaces)
    if (!i.address.empty()) out.push_back(i.address);
  for (const auto& i : c.interfaces)
    if (is_ipv4(i.tunnel_source.name)) out.push_back(i.tunnel_source.name);
  return out;
}

bool points_at(const Candidate& k, const std::vector<std::string>& addrs) {
  return std::any_of(k.peers.begin(), k.peers.end(),
                     [&](const std::string& p) { return std::find(addrs.begin(), addrs.end(), p) != addrs.end(); });
}

// Picks this router's tunnel towards `other`: the one whose destination / crypto-map peer / NHRP
// NBMA address is one of the other router's addresses; else the only one that cannot initiate
// (it answers the other); else the only one. Several: exit 2 with the list (--tunnel chooses).
Candidate choose(const Router& r, const std::vector<Candidate>& ks, const IosConfig& other, const std::string& forced) {
  auto names = [&] {
    std::string s;
    for (const auto& k : ks) s += (s.empty() ? "" : ", ") + k.label;
    return s;
  };
  if (ks.empty())
    throw InputError(r.cfg.file, 0, "no interface has 'tunnel protection ipsec profile' or a 'crypto map'");
  if (!forced.empty()) {
    for (const auto& k : ks)
      if (k.iface->name == forced || k.label == forced) return k;
    throw InputError("--tunnel", 0, r.name + " has no tunnel '" + forced + "' (candidates: " + names() + ")");
  }
  auto addrs = addresses(other);
  std::vector<const Candidate*> hit, passive;
  for (const auto& k : ks) {
    if (points_at(k, addrs)) hit.push_back(&k);
    if (!k.initiates) passive.push_back(&k);
  }
  if (hit.size() == 1) return *hit[0];
  if (hit.empty() && passive.size() == 1) return *passive[0];
  if (ks.size() == 1) return ks[0];
  std::string which;
  for (const auto* k : hit.empty() ? passive : hit) which += (which.empty() ? "" : ", ") + k->label;
  throw InputError(r.cfg.file, 0,
                   "cannot tell which tunnel of " + r.name + " leads to the other router (" +
                       (which.empty() ? names() : which) + "); choose one with --tunnel " + r.name + "=INTERFACE");
}

// The chosen tunnel -> `set isakmp-profile|ikev2-profile`; neither: IKEv1 with the router's only
// profile, or with the global configuration (`crypto isakmp policy` + all trustpoints, IOS's
// default since 12.x) when it has no ISAKMP profile.
void bind_tunnel(Router& r, const IosConfig& other, const std::string& forced) {
  Candidate k = choose(r, candidates(r.cfg), other, forced);
  r.tunnel = k.iface;
  r.choice = TunnelChoice{k.label, k.initiates, k.why_not};
  r.tunnel_peers = k.peers;
  r.tunnel_line = k.line;
  if (!k.v1.name.empty() && !k.v2.name.empty())
    throw InputError(r.cfg.file, k.v2.line, k.label + " sets both an isakmp-profile and an ikev2-profile");
  if (!k.v1.name.empty() || !k.v2.name.empty()) {
    r.version = k.v1.name.empty() ? IkeVersion::V2 : IkeVersion::V1;
    r.tunnel_profile = k.v1.name.empty() ? k.v2.name : k.v1.name;
    r.tunnel_line = k.v1.name.empty() ? k.v2.line : k.v1.line;
    return;
  }
  std::size_t n = r.cfg.isakmp_profiles.size() + r.cfg.ikev2_profiles.size();
  if (n == 1) {
    r.version = r.cfg.isakmp_profiles.empty() ? IkeVersion::V2 : IkeVersion::V1;
    r.tunnel_profile = r.cfg.isakmp_profiles.empty() ? r.cfg.ikev2_profiles[0].name : r.cfg.isakmp_profiles[0].name;
    return;
  }
  // Several profiles and none named: IKEv1 with the global configuration for this tunnel; as a
  // responder IOS still binds the profile whose `match identity` fits the peer (V1-8), and only a
  // peer that matches none stays on the global configuration (spec, IOS semantics).
  r.version = IkeVersion::V1;
  r.global_profile = true;
  r.global_among_profiles = !r.cfg.isakmp_profiles.empty();
}

// The address the other router's tunnel points at, else this router's tunnel source address.
std::string outside_address(const Router& self, const Router& other, std::vector<std::string>& warnings) {
  for (const std::string& dest : other.tunnel_peers)
    for (const auto& a : addresses(self.cfg))
      if (a == dest) return dest;
  if (self.tunnel->tunnel_source.name.empty() && !self.tunnel->address.empty())
    return self.tunnel->address;  // a crypto map's interface
  const std::string& src = self.tunnel->tunnel_source.name;
  if (is_ipv4(src)) return src;
  if (const Interface* i = find_named(self.cfg.interfaces, src); i && !i->address.empty()) return i->address;
  if (other.tunnel_peers.size() == 1) return other.tunnel_peers[0];  // the text omits it; the other router names it
  warnings.push_back(warning(self.cfg.file, self.tunnel->line, "no outside address found for " + self.name));
  return {};
}

// The FQDN identity this router sends: the tunnel profile's configured one (`identity local
// fqdn NAME`, `self-identity fqdn NAME`; IOS sends what is configured), else hostname.domain.
std::string fqdn_of(const Router& r, const std::string& annotated) {
  if (const auto* p = find_named(r.cfg.ikev2_profiles, r.tunnel_profile);
      p && r.version == IkeVersion::V2 && p->identity_local_type == "fqdn")
    return p->identity_local_value;
  if (const auto* p = find_named(r.cfg.isakmp_profiles, r.tunnel_profile);
      p && r.version == IkeVersion::V1 && p->self_identity_type == "fqdn" && !p->self_identity_value.empty())
    return p->self_identity_value;
  if (!r.cfg.hostname.empty() && !r.cfg.domain.empty()) return r.cfg.hostname + "." + r.cfg.domain;
  for (const auto& t : r.cfg.trustpoints)
    if (!t.fqdn.empty()) return t.fqdn;
  return annotated.empty() ? r.name : annotated;
}

// ---- annotations: `! ikeconform KEY ARGS`, scenario fields IOS has no command for ----

struct AnnotatedCa {
  Ca ca;
  bool used = false;
};

struct Annotations {
  std::string scenario, personality, fqdn;
  bool aggressive = false;
  std::vector<std::string> unsupported;
  std::map<std::string, std::pair<bool, std::vector<std::string>>> certs;  // tp -> (revoked, features)
  int cert_line = 0;
};

void read_annotations(const Router& r, Annotations& own, std::vector<AnnotatedCa>& cas, std::string& scenario,
                      std::vector<std::string>& warnings) {
  for (const auto& a : r.cfg.annotations) {
    std::vector<std::string_view> w;
    split_words(a.args, w);
    auto need = [&](std::size_t n) {
      if (w.size() < n)
        throw InputError(r.cfg.file, a.line, "annotation '" + a.key + "' needs " + std::to_string(n) + " argument(s)");
    };
    if (a.key == "scenario") {
      need(1);
      if (scenario.empty()) scenario = a.args;
    } else if (a.key == "ca") {
      need(3);
      std::string id(w[0]);
      Ca ca{id, std::string(rest_from(a.args, w, 2)), w[1] == "-" ? std::string() : std::string(w[1])};
      if (std::none_of(cas.begin(), cas.end(), [&](const AnnotatedCa& c) { return c.ca.id == id; }))
        cas.push_back({ca, false});
    } else if (a.key == "personality") {
      need(1);
      own.personality = w[0];
    } else if (a.key == "unsupported-feature") {
      need(1);
      own.unsupported.emplace_back(w[0]);
    } else if (a.key == "fqdn") {
      need(1);
      own.fqdn = w[0];
    } else if (a.key == "aggressive-mode") {
      own.aggressive = true;
    } else if (a.key == "certificate") {
      need(2);
      auto& c = own.certs[std::string(w[0])];
      if (w[1] == "revoked") c.first = true;
      else if (w[1] == "feature" && w.size() == 3) c.second.emplace_back(w[2]);
      else throw InputError(r.cfg.file, a.line, "annotation 'certificate TP revoked|feature F' expected");
      own.cert_line = a.line;
    } else {
      warnings.push_back(warning(r.cfg.file, a.line, "unknown annotation 'ikeconform " + a.key + "' ignored"));
    }
  }
}

// ---- which CA each trustpoint stands for (spec section 6) ----

// DNs from certificate chain data, then from show output.
void collect_dns(Router& r, std::vector<std::string>& warnings) {
  for (const auto& c : r.cfg.chains) {
    auto ca = std::find_if(c.certs.begin(), c.certs.end(), [](const ChainCert& x) { return x.ca; });
    auto id = std::find_if(c.certs.begin(), c.certs.end(), [](const ChainCert& x) { return !x.ca; });
    // `certificate ca 01 nvram:...` carries no DN: then the chain tells nothing about the CA.
    if (ca != c.certs.end() && !ca->subject.empty()) r.tp_dn[c.trustpoint.name] = ca->subject;
    else if (id != c.certs.end() && !id->issuer.empty()) r.tp_dn[c.trustpoint.name] = id->issuer;
  }
  if (!r.show) return;
  std::map<std::string, std::string> from_show;
  for (const auto& c : r.show->certs)
    for (const auto& tp : c.trustpoints) {
      if (!find_named(r.cfg.trustpoints, tp))
        throw InputError(r.show->file, c.trustpoints_line, "trustpoint '" + tp + "' is not defined in " + r.cfg.file);
      const std::string& dn = c.ca ? c.subject : c.issuer;
      bool cut = c.ca ? c.subject_cut : c.issuer_cut;
      if (dn.empty() || cut) continue;                       // an interrupted DN is not a DN
      if (c.ca || !from_show.count(tp)) from_show[tp] = dn;  // the CA certificate's subject wins
    }
  for (const auto& [tp, dn] : from_show) {
    auto [it, inserted] = r.tp_dn.try_emplace(tp, dn);
    if (!inserted && it->second != dn)
      warnings.push_back(warning(r.show->file, 0,
                                 "trustpoint " + tp + ": show output says '" + dn + "', the certificate chain '" +
                                     it->second + "'; the chain wins"));
  }
}

enum class Rule { Name = 1, Url = 2, Dn = 3 };
const char* rule_name(Rule r) { return r == Rule::Dn ? "dn" : r == Rule::Url ? "enrollment-url" : "trustpoint-name"; }

struct Tp {
  std::size_t router;
  std::string name, dn, url;
  std::vector<std::string> keys;  // normalized enrollment URLs it answers to (several: a CA server)
};

// Section 6 compares enrollment URLs as the router uses them: scheme and host in lower case,
// no default port, no trailing `/` nor IOS's implied SCEP path (`http://1.1.14.14:80/` =
// `http://1.1.14.14`).
std::string url_key(std::string_view url) {
  std::string u;
  for (char c : url) u += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (u.find("://") == std::string::npos) u = "http://" + u;
  for (std::string_view tail : {"/cgi-bin/pkiclient.exe", "/"})
    if (u.size() > tail.size() && u.compare(u.size() - tail.size(), tail.size(), tail) == 0)
      u.resize(u.size() - tail.size());
  std::size_t host = u.find("://") + 3;
  std::size_t path = u.find('/', host);
  std::string port = u.rfind("https", 0) == 0 ? ":443" : ":80";
  std::size_t colon = u.find(port, host);
  if (colon != std::string::npos && colon + port.size() == std::min(path, u.size())) u.erase(colon, port.size());
  return u;
}

struct Group {
  std::vector<std::size_t> members;  // indices into the Tp list
  std::string dn;
  Rule rule = Rule::Dn;
};

class Unifier {
 public:
  explicit Unifier(std::vector<Tp> tps) : tps_(std::move(tps)), group_of_(tps_.size(), kNone) {}

  std::vector<Group> run() {
    for (std::size_t t = 0; t < tps_.size(); ++t)
      if (!tps_[t].dn.empty()) place(t, find(dn_, tps_[t].dn), Rule::Dn);
    for (std::size_t t = 0; t < tps_.size(); ++t)
      if (tps_[t].dn.empty() && !tps_[t].keys.empty()) {
        std::size_t g = kNone;
        for (const auto& k : tps_[t].keys)
          if (g == kNone) g = find(url_, k);
        place(t, g != kNone ? g : by_name(t), g != kNone ? Rule::Url : Rule::Name);
      }
    for (std::size_t t = 0; t < tps_.size(); ++t)
      if (tps_[t].dn.empty() && tps_[t].keys.empty()) place(t, by_name(t), Rule::Name);
    for (auto& g : groups_) std::sort(g.members.begin(), g.members.end());
    return std::move(groups_);
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  static std::size_t find(const std::unordered_map<std::string, std::size_t>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? kNone : it->second;
  }

  // Same name on the other router, unless both have an enrollment url (then the url decided).
  std::size_t by_name(std::size_t t) const {
    auto it = names_.find(tps_[t].name);
    if (it == names_.end()) return kNone;
    for (std::size_t m : it->second)
      if (tps_[m].router != tps_[t].router && (tps_[t].keys.empty() || tps_[m].keys.empty())) return group_of_[m];
    return kNone;
  }

  void place(std::size_t t, std::size_t g, Rule join_rule) {
    const Tp& tp = tps_[t];
    if (g == kNone) {  // a new CA, identified by the strongest key it has
      g = groups_.size();
      groups_.push_back(Group{{}, tp.dn, !tp.dn.empty() ? Rule::Dn : !tp.keys.empty() ? Rule::Url : Rule::Name});
      if (!tp.dn.empty()) dn_[tp.dn] = g;
    } else {
      groups_[g].rule = std::min(groups_[g].rule, join_rule);
    }
    groups_[g].members.push_back(t);
    group_of_[t] = g;
    for (const auto& k : tp.keys) url_.try_emplace(k, g);
    names_[tp.name].push_back(t);
  }

  std::vector<Tp> tps_;
  std::vector<std::size_t> group_of_;
  std::vector<Group> groups_;
  std::unordered_map<std::string, std::size_t> dn_, url_;
  std::unordered_map<std::string, std::vector<std::size_t>> names_;
};

// A CA shared by both routers but decided without certificate data (URL or name only): the
// verdict rests on it, so say so and what would settle it.
void assume(const std::array<Router, 2>& rs, const std::vector<Tp>& tps, const Group& g, const std::string& ca_id,
            std::vector<std::string>& out) {
  if (g.rule == Rule::Dn) return;
  bool both = std::any_of(g.members.begin(), g.members.end(), [&](std::size_t m) { return tps[m].router == 0; }) &&
              std::any_of(g.members.begin(), g.members.end(), [&](std::size_t m) { return tps[m].router == 1; });
  if (!both) return;
  std::string who, without;
  for (std::size_t m : g.members) {
    who += (who.empty() ? "" : " = ") + rs[tps[m].router].name + "/" + tps[m].name;
    if (tps[m].dn.empty())
      without += (without.empty() ? "" : ", ") +
                 ("`show crypto pki certificates " + tps[m].name + "` on " + rs[tps[m].router].name);
  }
  out.push_back("CA " + ca_id + ": " + who + " taken as one CA by " + rule_name(g.rule) +
                ", without certificate data; " + without + " (--show-certs) would settle it");
}

bool is_id_token(std::string_view s) { return !s.empty() && s.find_first_of(" \t,+=\"") == std::string_view::npos; }

// "cn=CA1,o=cisco,o=com" -> "CA1": the note's own names for its CAs.
std::string id_from_dn(const std::string& dn) {
  std::string_view first = split_dn(dn).front();
  if (first.size() < 4 || (first[0] | 0x20) != 'c' || (first[1] | 0x20) != 'n' || first[2] != '=') return {};
  std::string_view v = first.substr(3);
  return is_id_token(v) ? std::string(v) : std::string();
}

std::string unique_id(std::string id, std::unordered_set<std::string>& used) {
  std::string candidate = id;
  for (int n = 2; used.count(candidate); ++n) candidate = id + "-" + std::to_string(n);
  used.insert(candidate);
  return candidate;
}

bool dn_taken(const std::string& dn, const std::vector<AnnotatedCa>& annotated, const std::vector<Ca>& extra) {
  return std::any_of(annotated.begin(), annotated.end(),
                     [&](const AnnotatedCa& a) { return a.used && a.ca.dn == dn; }) ||
         std::any_of(extra.begin(), extra.end(), [&](const Ca& c) { return c.dn == dn; });
}

void unify_cas(std::array<Router, 2>& rs, std::vector<AnnotatedCa>& annotated, ImportResult& out) {
  std::vector<Tp> tps;
  for (std::size_t i = 0; i < 2; ++i)
    for (const auto& t : rs[i].cfg.trustpoints) {
      auto dn = rs[i].tp_dn.find(t.name);
      Tp tp{i, t.name, dn == rs[i].tp_dn.end() ? std::string() : dn->second, t.enrollment_url, {}};
      if (!t.enrollment_url.empty()) tp.keys.push_back(url_key(t.enrollment_url));
      if (std::find(rs[i].cfg.pki_servers.begin(), rs[i].cfg.pki_servers.end(), t.name) != rs[i].cfg.pki_servers.end())
        for (const auto& a : addresses(rs[i].cfg))
          tp.keys.push_back("http://" + a);  // `crypto pki server`: the router is the CA
      tps.push_back(std::move(tp));
    }
  std::vector<Group> groups = Unifier(tps).run();
  std::sort(groups.begin(), groups.end(),
            [](const Group& x, const Group& y) { return x.members.front() < y.members.front(); });

  std::unordered_set<std::string> used;
  for (const auto& a : annotated) used.insert(a.ca.id);
  std::vector<Ca> extra;
  for (const Group& g : groups) {
    const Tp& first = tps[g.members.front()];
    Ca ca{{}, g.dn.empty() ? "cn=" + first.name : g.dn, {}};
    for (std::size_t m : g.members)
      if (ca.enrollment_url.empty()) ca.enrollment_url = tps[m].url;
    auto ann = std::find_if(annotated.begin(), annotated.end(),
                            [&](const AnnotatedCa& a) { return !a.used && !g.dn.empty() && a.ca.dn == g.dn; });
    if (ann != annotated.end()) {
      ann->used = true;
      ca.id = ann->ca.id;
    } else {
      std::string id = id_from_dn(ca.dn);
      ca.id = unique_id(id.empty() ? first.name : id, used);
      // Two CAs told apart by enrollment URL may share a trustpoint name: "cn=<trustpoint>" would
      // give both one DN, and export -> import (which trusts DNs first) would merge them.
      // Found by fuzz_ios_config (corpus/regressions/ios_config/).
      if (g.dn.empty() && dn_taken(ca.dn, annotated, extra)) ca.dn = "cn=" + ca.id;
    }
    CaDecision d{ca.id, rule_name(g.rule), {}, g.dn.empty()};
    for (std::size_t m : g.members) {
      d.trustpoints.push_back(rs[tps[m].router].name + "/" + tps[m].name);
      rs[tps[m].router].tp_ca[tps[m].name] = ca.id;
    }
    assume(rs, tps, g, ca.id, out.assumptions);
    out.ca_decisions.push_back(std::move(d));
    if (ann != annotated.end()) ann->ca = ca;
    else extra.push_back(std::move(ca));
  }
  for (auto& a : annotated) out.scenario.cas.push_back(a.ca);  // annotation order first: export round-trips
  for (auto& c : extra) out.scenario.cas.push_back(std::move(c));
}

// ---- enrollment order (V1-4: store order is reverse enrollment order) ----

std::array<std::optional<std::vector<std::string>>, 2> parse_enrollment(const std::vector<std::string>& specs,
                                                                        const std::array<Router, 2>& rs) {
  std::array<std::optional<std::vector<std::string>>, 2> out;
  for (const auto& spec : specs) {
    std::size_t eq = spec.find('=');
    if (eq == std::string::npos)
      throw InputError("--enrollment", 0, "'" + spec + "': expected NAME=TP,TP (oldest first)");
    std::string who = std::string(trim(std::string_view(spec).substr(0, eq)));
    std::size_t r = who == rs[0].name || who == rs[0].stem ? 0 : who == rs[1].name || who == rs[1].stem ? 1 : 2;
    if (r == 2)
      throw InputError("--enrollment", 0,
                       "'" + spec + "': unknown router '" + who + "' (routers: " + rs[0].name + ", " + rs[1].name +
                           ")");
    if (out[r]) throw InputError("--enrollment", 0, "'" + spec + "': router '" + who + "' is given twice");
    out[r].emplace();
    std::string_view list = std::string_view(spec).substr(eq + 1);
    while (!trim(list).empty()) {
      std::size_t comma = list.find(',');
      std::string tp(trim(list.substr(0, comma)));
      if (!find_named(rs[r].cfg.trustpoints, tp))
        throw InputError("--enrollment", 0,
                         "'" + spec + "': router '" + rs[r].name + "' has no trustpoint '" + tp + "'");
      if (std::find(out[r]->begin(), out[r]->end(), tp) != out[r]->end())
        throw InputError("--enrollment", 0, "'" + spec + "': trustpoint '" + tp + "' is listed twice");
      out[r]->push_back(tp);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  return out;
}

// `--tunnel NAME=INTERFACE`: the tunnel of router NAME, over the automatic choice.
std::array<std::string, 2> parse_tunnels(const std::vector<std::string>& specs, const std::array<Router, 2>& rs) {
  std::array<std::string, 2> out;
  for (const auto& spec : specs) {
    std::size_t eq = spec.find('=');
    if (eq == std::string::npos) throw InputError("--tunnel", 0, "'" + spec + "': expected ROUTER=INTERFACE");
    std::string who = spec.substr(0, eq);
    std::size_t r = who == rs[0].name || who == rs[0].stem ? 0 : who == rs[1].name || who == rs[1].stem ? 1 : 2;
    if (r == 2)
      throw InputError("--tunnel", 0,
                       "'" + spec + "': unknown router '" + who + "' (routers: " + rs[0].name + ", " + rs[1].name +
                           ")");
    out[r] = canonical_interface_name(spec.substr(eq + 1));
  }
  return out;
}

// Subjects known from show output or chain data, per trustpoint.
std::map<std::string, std::string> identity_subjects(const Router& r) {
  std::map<std::string, std::string> s;
  for (const auto& c : r.cfg.chains)
    for (const auto& x : c.certs)
      if (!x.ca) s.try_emplace(c.trustpoint.name, x.subject);
  if (r.show)
    for (const auto& c : r.show->certs)
      if (!c.ca && !c.subject_cut)
        for (const auto& tp : c.trustpoints) s[tp] = c.subject;
  return s;
}

// Trustpoints holding an identity certificate, oldest first.
std::vector<std::string> enrolled_trustpoints(const Router& r, const std::optional<std::vector<std::string>>& option,
                                              PeerImport& info) {
  if (option) {
    info.enrollment_source = "enrollment-option";
    return *option;
  }
  bool has_chain = !r.cfg.chains.empty();
  std::vector<std::string> in_config;  // configuration order, per chain data or assumed
  for (const auto& t : r.cfg.trustpoints) {
    auto c = std::find_if(r.cfg.chains.begin(), r.cfg.chains.end(),
                          [&](const PkiChain& x) { return x.trustpoint.name == t.name; });
    bool enrolled = !has_chain || (c != r.cfg.chains.end() && std::any_of(c->certs.begin(), c->certs.end(),
                                                                          [](const ChainCert& x) { return !x.ca; }));
    if (enrolled) in_config.push_back(t.name);
  }
  if (!r.show) {
    info.enrollment_source = has_chain ? "certificate-chain" : "configuration-order";
    info.enrollment_assumed = true;
    info.certificates_assumed = !has_chain;
    return in_config;
  }
  std::vector<std::string> shown;  // store order: newest first
  for (const auto& c : r.show->certs)
    if (!c.ca)
      for (const auto& tp : c.trustpoints)
        if (std::find(shown.begin(), shown.end(), tp) == shown.end()) shown.push_back(tp);
  std::vector<std::string> out;
  if (r.show->omitted)  // a partial list: the others are older, in configuration order
    for (const auto& tp : in_config)
      if (std::find(shown.begin(), shown.end(), tp) == shown.end()) out.push_back(tp);
  info.enrollment_source = out.empty() ? "show" : "show+configuration-order";
  info.enrollment_assumed = !out.empty();
  info.certificates_assumed = r.show->omitted && !has_chain;
  out.insert(out.end(), shown.rbegin(), shown.rend());
  return out;
}

std::vector<IdentityCert> certificates(const Router& r, const std::optional<std::vector<std::string>>& option,
                                       const Annotations& ann, PeerImport& info, std::vector<std::string>& warnings) {
  auto subjects = identity_subjects(r);
  std::vector<IdentityCert> out;
  for (const auto& tp : enrolled_trustpoints(r, option, info)) {
    IdentityCert c{tp, {}, false, {}};
    if (auto s = subjects.find(tp); s != subjects.end()) c.subject = s->second;
    if (auto a = ann.certs.find(tp); a != ann.certs.end()) {
      c.revoked = a->second.first;
      c.features = a->second.second;
    }
    out.push_back(std::move(c));
  }
  for (const auto& entry : ann.certs) {  // no structured binding: clang 14 cannot capture one
    const std::string& tp = entry.first;
    if (std::none_of(out.begin(), out.end(), [&](const IdentityCert& c) { return c.trustpoint == tp; }))
      warnings.push_back(warning(r.cfg.file, ann.cert_line,
                                 "annotation for trustpoint " + tp + " ignored: it holds no identity certificate"));
  }
  return out;
}

// ---- profiles and proposals ----

std::vector<ProfileTrustpoint> profile_trustpoints(const std::vector<TrustpointRef>& refs) {
  std::vector<ProfileTrustpoint> out;
  for (const auto& r : refs) out.push_back(ProfileTrustpoint{r.name, r.use});
  return out;
}

// `match certificate MAP` lines: the maps as the model evaluates them (the parser refused the
// lines it cannot evaluate).
std::vector<CertificateMap> certificate_maps(const Router& r, const std::vector<NameRef>& refs) {
  std::vector<CertificateMap> out;
  for (const auto& ref : refs)
    if (const auto* m = find_named(r.cfg.certificate_maps, ref.name)) out.push_back(m->map);
  return out;
}

// The kind of identity a router's tunnel sends, and its configured e-mail address.
struct SentIdentity {
  IdKind kind = IdKind::Address;
  std::string email;
};
SentIdentity sent_identity(const Router& r) {
  if (r.version == IkeVersion::V2) {
    if (const auto* p = find_named(r.cfg.ikev2_profiles, r.tunnel_profile))
      return {p->identity_local, p->identity_local == IdKind::Email ? p->identity_local_value : std::string()};
  } else if (const auto* p = find_named(r.cfg.isakmp_profiles, r.tunnel_profile)) {
    return {p->self_identity, p->self_identity == IdKind::Email ? p->self_identity_value : std::string()};
  } else if (r.global_profile) {
    return {r.cfg.isakmp_identity, {}};
  }
  return {};
}

// "Any identity" for the kinds the scenario matches by value: the other router's e-mail address,
// or for a DN sender (IOS has no line for a DN; its certificate always comes with it) a
// certificate map without lines, which matches every certificate.
void accept_any(Profile& f, const SentIdentity& other) {
  if (other.kind == IdKind::Email) f.match.push_back(IdentityMatch{IdKind::Email, other.email, {}});
  if (other.kind == IdKind::Dn) f.match_certificate.push_back(CertificateMap{"any-identity", {CertMapEntry{10, {}}}});
}

// `match identity remote any` and the global configuration accept every identity; the scenario
// matches kinds separately, so "any" is every address plus the one FQDN the other router sends
// (and its e-mail address or DN when it sends one, accept_any()).
std::vector<Profile> profiles(const Router& r, const std::string& other_fqdn, const SentIdentity& other) {
  std::vector<Profile> out;
  if (r.version == IkeVersion::V1) {
    // IKEv1 negotiates the method in the policy: pre-share when every policy says so, or
    // when the profile names a keyring (it can only be used for pre-shared keys).
    bool all_psk = !r.cfg.isakmp_policies.empty() &&
                   std::all_of(r.cfg.isakmp_policies.begin(), r.cfg.isakmp_policies.end(),
                               [](const IsakmpPolicy& p) { return p.auth == AuthMethod::PreShare; });
    for (const auto& p : r.cfg.isakmp_profiles) {
      AuthMethod m = all_psk || !p.keyring.name.empty() ? AuthMethod::PreShare : AuthMethod::RsaSig;
      out.push_back(Profile{p.name, p.match, p.self_identity, profile_trustpoints(p.ca_trustpoints), m, m,
                            certificate_maps(r, p.certificate_maps)});
      if (p.self_identity == IdKind::Email) out.back().self_identity_value = p.self_identity_value;
    }
    if (r.global_profile) {  // any peer, `crypto isakmp identity`, every trustpoint (V1-2, V1-9)
      AuthMethod m = all_psk ? AuthMethod::PreShare : AuthMethod::RsaSig;
      // Beside other profiles it matches nobody: the global configuration is what a responder
      // uses when no profile matches (the model's "no profile bound" on a tunnel without match).
      std::vector<IdentityMatch> any{IdentityMatch{IdKind::Address, "0.0.0.0", "0.0.0.0"},
                                     IdentityMatch{IdKind::Fqdn, other_fqdn, {}}};
      out.push_back(Profile{r.tunnel_profile,
                            r.global_among_profiles ? std::vector<IdentityMatch>{} : any,
                            r.cfg.isakmp_identity,
                            {},
                            m,
                            m,
                            {}});
      if (!r.global_among_profiles) accept_any(out.back(), other);
    }
  } else {
    for (const auto& p : r.cfg.ikev2_profiles) {
      out.push_back(Profile{p.name, p.match, p.identity_local, profile_trustpoints(p.trustpoints), p.auth_local,
                            p.auth_remote, certificate_maps(r, p.certificate_maps)});
      if (p.identity_local == IdKind::Email) out.back().self_identity_value = p.identity_local_value;
      if (p.match_any) {
        out.back().match.push_back(IdentityMatch{IdKind::Fqdn, other_fqdn, {}});
        accept_any(out.back(), other);
      }
      // `match fvrf`: a profile only binds peers arriving in its front-door VRF (none: the
      // global table; `any`: every VRF). This tunnel's is `tunnel vrf`, or the map interface's VRF.
      std::string fvrf = r.tunnel->tunnel_vrf.empty() && !r.tunnel->crypto_map.name.empty() ? r.tunnel->vrf
                                                                                            : r.tunnel->tunnel_vrf;
      if (p.match_fvrf != "any" && p.match_fvrf != fvrf) {
        out.back().match.clear();
        out.back().match_certificate.clear();
      }
    }
  }
  return out;
}

std::vector<Proposal> proposals(const Router& r, std::vector<std::string>& warnings) {
  std::vector<Proposal> out;
  if (r.version == IkeVersion::V1) {
    auto policies = r.cfg.isakmp_policies;
    std::stable_sort(policies.begin(), policies.end(),
                     [](const IsakmpPolicy& x, const IsakmpPolicy& y) { return x.priority < y.priority; });
    for (const auto& p : policies) out.push_back(Proposal{p.encryption, p.hash, p.group});
    return out;
  }
  std::vector<const Ikev2Proposal*> used;  // those the policies name, else all
  for (const auto& pol : r.cfg.ikev2_policies)
    for (const auto& ref : pol.proposals)
      if (const auto* p = find_named(r.cfg.ikev2_proposals, ref.name);
          std::find(used.begin(), used.end(), p) == used.end())
        used.push_back(p);
  if (r.cfg.ikev2_policies.empty())
    for (const auto& p : r.cfg.ikev2_proposals) used.push_back(&p);
  // An AEAD cipher (aes-gcm-*) has no integrity transform: "none" (IOS refuses an integrity
  // line next to it; the PRF is not compared).
  auto aead = [](const std::string& e) { return e.rfind("aes-gcm", 0) == 0; };
  for (const auto* p : used) {
    bool needs_integrity = std::any_of(p->encryption.begin(), p->encryption.end(),
                                       [&](const std::string& e) { return !aead(e); });
    if (p->encryption.empty() || (needs_integrity && p->integrity.empty()) || p->groups.empty()) {
      warnings.push_back(
          warning(r.cfg.file, p->line, "IKEv2 proposal " + p->name + " lacks encryption, integrity or group; ignored"));
      continue;
    }
    static const std::vector<std::string> kNone{"none"};
    for (const auto& e : p->encryption)  // one scenario proposal per combination IOS offers
      for (const auto& i : aead(e) ? kNone : p->integrity)
        for (int g : p->groups) out.push_back(Proposal{e, i, g});
  }
  return out;
}

void note_assumptions(const std::string& name, const PeerImport& info, std::vector<std::string>& notes) {
  if (info.certificates_assumed && info.enrollment_source.rfind("show", 0) == 0)
    notes.push_back(
        name + ": the show output is partial: trustpoints it does not list count as holding an identity certificate");
  else if (info.certificates_assumed)
    notes.push_back(name +
                    ": no show output or certificate chain data: every trustpoint counts as holding an identity "
                    "certificate");
  if (info.enrollment_assumed)
    notes.push_back(name + ": enrollment order assumed to be configuration order (" + info.enrollment_source + ")");
}

// `issuer-name` in a certificate map of `self` is compared with the issuer DN of the certificate
// `other` sends; a DN synthesized from a trustpoint name (no certificate data) would make that
// comparison a guess: UNSUPPORTED at the `match certificate` line, naming the data that settles it.
void check_issuer_names(const Router& self, const Router& other, const Peer& other_peer,
                        const std::vector<CaDecision>& decisions) {
  auto check = [&](const std::string& profile, const std::vector<NameRef>& refs) {
    for (const auto& ref : refs) {
      const auto* m = find_named(self.cfg.certificate_maps, ref.name);
      bool issuer = false;
      for (const auto& e : m->map.entries)
        for (const auto& rule : e.rules) issuer = issuer || rule.field == CertField::IssuerName;
      if (!issuer) continue;
      for (const auto& c : other_peer.certificates) {
        const std::string& ca = other.tp_ca.at(c.trustpoint);
        auto d = std::find_if(decisions.begin(), decisions.end(), [&](const CaDecision& x) { return x.ca_id == ca; });
        if (d == decisions.end() || !d->dn_synthesized) continue;
        throw InputError(self.cfg.file, ref.line,
                         "UNSUPPORTED: profile " + profile + " matches certificate map '" + ref.name +
                             "' by issuer-name, but the issuer DN of " + other.name + "'s certificate of trustpoint " +
                             c.trustpoint + " is not known (no certificate data); give " + other.name +
                             "'s `show crypto pki certificates` (--show-certs) or its certificate chain");
      }
    }
  };
  if (self.version == IkeVersion::V1)
    for (const auto& p : self.cfg.isakmp_profiles) check(p.name, p.certificate_maps);
  else
    for (const auto& p : self.cfg.ikev2_profiles) check(p.name, p.certificate_maps);
}

Peer build_peer(const Router& self, const Router& other, const Annotations& ann, const Annotations& other_ann,
                std::vector<IdentityCert> certs, std::vector<std::string>& warnings) {
  Peer p;
  p.name = self.name;
  p.fqdn = fqdn_of(self, ann.fqdn);
  p.address = outside_address(self, other, warnings);
  if (!ann.personality.empty()) p.personality = ann.personality;
  for (const auto& t : self.cfg.trustpoints)
    p.trustpoints.push_back(Trustpoint{t.name, self.tp_ca.at(t.name), t.revocation});
  p.certificates = std::move(certs);
  p.profiles = profiles(self, fqdn_of(other, other_ann.fqdn), sent_identity(other));
  p.tunnel_profile = self.tunnel_profile;
  p.proposals = proposals(self, warnings);
  p.unsupported_features = ann.unsupported;
  return p;
}

}  // namespace

std::string router_stem(const std::string& file) { return file_stem(file); }

ImportResult import_routers(const RouterInput& a, const RouterInput& b,
                            const std::vector<std::string>& enrollment_specs,
                            const std::vector<std::string>& tunnel_specs) {
  ImportResult out;
  std::array<Router, 2> rs{load(a, out.warnings, out.skipped), load(b, out.warnings, out.skipped)};
  if (rs[0].name == rs[1].name)
    throw InputError(b.file, rs[1].cfg.hostname_line, "both routers are named '" + rs[0].name + "'");
  auto forced = parse_tunnels(tunnel_specs, rs);
  for (std::size_t i = 0; i < 2; ++i) {
    bind_tunnel(rs[i], rs[1 - i].cfg, forced[i]);
    if (rs[i].global_profile) {
      rs[i].tunnel_profile = "global";
      while (find_named(rs[i].cfg.isakmp_profiles, rs[i].tunnel_profile)) rs[i].tunnel_profile += "-";
      out.notes.push_back(
          rs[i].name + ": " + rs[i].choice.label +
          " uses no ISAKMP profile: IKEv1 with the global configuration (profile '" + rs[i].tunnel_profile +
          (rs[i].global_among_profiles ? "': peers that match none of its ISAKMP profiles" : "': any peer") +
          ", every trustpoint)");
    }
    out.tunnels[i] = rs[i].choice;
  }
  if (rs[0].version != rs[1].version)
    throw InputError(b.file, rs[1].tunnel_line,
                     rs[1].name + "'s tunnel uses IKEv" + std::to_string(static_cast<int>(rs[1].version)) + " but " +
                         rs[0].name + "'s uses IKEv" + std::to_string(static_cast<int>(rs[0].version)));
  auto enrollment = parse_enrollment(enrollment_specs, rs);

  std::array<Annotations, 2> ann;
  std::vector<AnnotatedCa> annotated_cas;
  for (std::size_t i = 0; i < 2; ++i) read_annotations(rs[i], ann[i], annotated_cas, out.scenario.name, out.warnings);
  for (auto& r : rs) collect_dns(r, out.warnings);
  unify_cas(rs, annotated_cas, out);

  Scenario& s = out.scenario;
  if (s.name.empty()) s.name = rs[0].name + "-" + rs[1].name;
  s.ike_version = rs[0].version;
  for (std::size_t i = 0; i < 2; ++i) {
    auto certs = certificates(rs[i], enrollment[i], ann[i], out.peers[i], out.warnings);
    note_assumptions(rs[i].name, out.peers[i], out.notes);
    s.peers.push_back(build_peer(rs[i], rs[1 - i], ann[i], ann[1 - i], std::move(certs), out.warnings));
    const IsakmpProfile* tp = find_named(rs[i].cfg.isakmp_profiles, rs[i].tunnel_profile);
    s.aggressive_mode = s.aggressive_mode || ann[i].aggressive ||
                        (s.ike_version == IkeVersion::V1 && tp && tp->aggressive);
  }
  for (std::size_t i = 0; i < 2; ++i) check_issuer_names(rs[i], rs[1 - i], s.peers[1 - i], out.ca_decisions);
  if (auto problems = validate(s); !problems.empty())
    throw InputError(a.file, 0, "the imported scenario is invalid: " + problems.front());
  return out;
}

}  // namespace ikeconform::ios
