#include "oracles/shrink.hpp"

#include <algorithm>

namespace ikeconform {
namespace {

void drop_trustpoint(Peer& p, const std::string& tp) {
  std::erase_if(p.trustpoints, [&](const Trustpoint& t) { return t.name == tp; });
  std::erase_if(p.certificates, [&](const IdentityCert& c) { return c.trustpoint == tp; });
  for (Profile& f : p.profiles)
    std::erase_if(f.trustpoints, [&](const ProfileTrustpoint& l) { return l.trustpoint == tp; });
}

Scenario without_ca(const Scenario& s, std::size_t k) {
  Scenario r = s;
  const std::string id = s.cas[k].id;
  r.cas.erase(r.cas.begin() + static_cast<std::ptrdiff_t>(k));
  for (Peer& p : r.peers) {
    std::vector<std::string> doomed;
    for (const Trustpoint& t : p.trustpoints)
      if (t.ca == id) doomed.push_back(t.name);
    for (const std::string& t : doomed) drop_trustpoint(p, t);
  }
  return r;
}

// The position of a certificate's trustpoint in the configuration: the "simple" enrollment order.
std::size_t config_pos(const Peer& p, const IdentityCert& c) {
  for (std::size_t i = 0; i < p.trustpoints.size(); ++i)
    if (p.trustpoints[i].name == c.trustpoint) return i;
  return p.trustpoints.size();
}

void removals(const Scenario& s, std::vector<Scenario>& out) {
  for (std::size_t k = s.cas.size(); k-- > 0;) out.push_back(without_ca(s, k));
  for (std::size_t p = 0; p < s.peers.size(); ++p) {
    const Peer& peer = s.peers[p];
    for (std::size_t j = peer.profiles.size(); j-- > 0;) {
      if (peer.profiles[j].name == peer.tunnel_profile) continue;
      Scenario r = s;
      r.peers[p].profiles.erase(r.peers[p].profiles.begin() + static_cast<std::ptrdiff_t>(j));
      out.push_back(std::move(r));
    }
    for (std::size_t t = peer.trustpoints.size(); t-- > 0;) {
      Scenario r = s;
      drop_trustpoint(r.peers[p], peer.trustpoints[t].name);
      out.push_back(std::move(r));
    }
    for (std::size_t c = peer.certificates.size(); c-- > 0;) {
      Scenario r = s;
      r.peers[p].certificates.erase(r.peers[p].certificates.begin() + static_cast<std::ptrdiff_t>(c));
      out.push_back(std::move(r));
    }
    for (std::size_t j = 0; j < peer.profiles.size(); ++j) {
      for (std::size_t l = peer.profiles[j].trustpoints.size(); l-- > 0;) {
        Scenario r = s;
        auto& lines = r.peers[p].profiles[j].trustpoints;
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(l));
        out.push_back(std::move(r));
      }
      if (peer.profiles[j].match.size() > 1)
        for (std::size_t m = peer.profiles[j].match.size(); m-- > 0;) {
          Scenario r = s;
          auto& match = r.peers[p].profiles[j].match;
          match.erase(match.begin() + static_cast<std::ptrdiff_t>(m));
          out.push_back(std::move(r));
        }
    }
  }
}

void simplifications(const Scenario& s, std::vector<Scenario>& out) {
  for (std::size_t p = 0; p < s.peers.size(); ++p) {
    const Peer& peer = s.peers[p];
    // Enrollment order back towards configuration order: one adjacent swap at a time, so a shrink
    // keeps exactly the part of the order that matters.
    for (std::size_t c = 0; c + 1 < peer.certificates.size(); ++c)
      if (config_pos(peer, peer.certificates[c]) > config_pos(peer, peer.certificates[c + 1])) {
        Scenario r = s;
        std::swap(r.peers[p].certificates[c], r.peers[p].certificates[c + 1]);
        out.push_back(std::move(r));
      }
    auto tweak = [&](auto&& f) {
      Scenario r = s;
      if (f(r.peers[p])) out.push_back(std::move(r));
    };
    tweak([](Peer& q) { return !std::exchange(q.unsupported_features, {}).empty(); });
    for (std::size_t c = 0; c < peer.certificates.size(); ++c) {
      tweak([c](Peer& q) { return std::exchange(q.certificates[c].revoked, false); });
      tweak([c](Peer& q) { return !std::exchange(q.certificates[c].features, {}).empty(); });
    }
    for (std::size_t t = 0; t < peer.trustpoints.size(); ++t)
      tweak([t](Peer& q) {
        return std::exchange(q.trustpoints[t].revocation_check, Revocation::None) != Revocation::None;
      });
    for (std::size_t j = 0; j < peer.profiles.size(); ++j) {
      tweak([j](Peer& q) { return std::exchange(q.profiles[j].auth_local, AuthMethod::RsaSig) != AuthMethod::RsaSig; });
      tweak(
          [j](Peer& q) { return std::exchange(q.profiles[j].auth_remote, AuthMethod::RsaSig) != AuthMethod::RsaSig; });
      tweak([j](Peer& q) {
        q.profiles[j].self_identity_value.clear();  // only an e-mail identity has one
        return std::exchange(q.profiles[j].self_identity, IdKind::Fqdn) != IdKind::Fqdn;
      });
      for (std::size_t l = 0; l < peer.profiles[j].trustpoints.size(); ++l)
        tweak([j, l](Peer& q) {
          return std::exchange(q.profiles[j].trustpoints[l].use, TrustpointUse::Both) != TrustpointUse::Both;
        });
    }
  }
}

// Greedy descent: take the first candidate that still fails, start over from it.
template <typename Next>
void descend(ShrinkResult& r, const Judge& judge, std::size_t max_steps, Next&& next_candidates) {
  bool improved = true;
  while (improved && r.steps < max_steps) {
    improved = false;
    for (auto&& cand : next_candidates()) {
      if (r.steps >= max_steps) return;
      const Scenario value = cand.value();
      if (!validate(value).empty()) continue;
      ++r.steps;
      OracleResult res = judge(value);
      if (res.verdict != Verdict::Fail) continue;
      r.scenario = value;
      r.result = std::move(res);
      ++r.accepted;
      cand.accept();
      improved = true;
      break;
    }
  }
}

// Adapters so both passes share `descend`.
struct TreeCandidate {
  rc::Shrinkable<Scenario> node;
  rc::Shrinkable<Scenario>* current;
  Scenario value() const { return node.value(); }
  void accept() { *current = node; }
};

struct PlainCandidate {
  Scenario s;
  Scenario value() const { return s; }
  void accept() {}
};

}  // namespace

std::vector<Scenario> structural_shrinks(const Scenario& s) {
  std::vector<Scenario> out;
  removals(s, out);
  simplifications(s, out);
  return out;
}

ShrinkResult shrink(const rc::Shrinkable<Scenario>* tree, const Scenario& start, const OracleResult& start_result,
                    const Judge& judge, std::size_t max_steps) {
  ShrinkResult r{start, start_result, 0, 0};
  if (tree) {
    rc::Shrinkable<Scenario> current = *tree;
    descend(r, judge, max_steps, [&] {
      std::vector<TreeCandidate> c;
      auto seq = current.shrinks();
      // Materialise lazily would be nicer, but a shrink level is small (tens of nodes).
      while (auto n = seq.next()) c.push_back({std::move(*n), &current});
      return c;
    });
  }
  descend(r, judge, max_steps, [&] {
    std::vector<PlainCandidate> c;
    for (Scenario& s : structural_shrinks(r.scenario)) c.push_back({std::move(s)});
    return c;
  });
  return r;
}

}  // namespace ikeconform
