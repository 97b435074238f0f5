// BUG-SA, BUG-REACTION and BUG-LIVENESS (protocol_bugs.hpp): how the real peer answers the
// emulated router's protocol bugs (model/protocol_bugs.hpp), judged by what RFC 4945 / RFC 7296
// require of the receiver. The bugged peer is the emulated one; the other is the stack under test.
#include "oracles/protocol_bugs.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/protocol_bugs.hpp"
#include "oracles/facts.hpp"
#include "oracles/universal.hpp"

namespace ikeconform {
namespace {

OracleResult pass() { return {Verdict::Pass, {}, -1, -1, Message::None}; }
OracleResult skip(std::string m) { return {Verdict::Skip, std::move(m), -1, -1, Message::None}; }
OracleResult fail(std::string m, int direction, Message at) { return {Verdict::Fail, std::move(m), direction, -1, at}; }

constexpr std::string_view kWithoutBugs = "without protocol bugs";

// The targets with an emulated side (the model is cisco-ios too, but commits no bug).
std::vector<std::string_view> emulated_targets() {
  return {"cisco-ios,strongswan", "strongswan,cisco-ios", "cisco-ios,libreswan", "libreswan,cisco-ios"};
}

// The peer that carries bugs (the emulated one), or -1.
int bugged_peer(const Scenario& s) {
  for (std::size_t i = 0; i < s.peers.size(); ++i)
    if (!s.peers[i].bugs.empty()) return static_cast<int>(i);
  return -1;
}

std::string bug_list(const Peer& p) {
  std::string out;
  for (const std::string& b : p.bugs) out += (out.empty() ? "" : ", ") + b;
  return out;
}

// The strongest reaction the RFCs require of the receiver for all of `p`'s bugs: Refuse beats
// Unfixed beats Proceed.
BugReaction required(const Peer& p, IkeVersion v) {
  BugReaction r = BugReaction::Proceed;
  for (const std::string& name : p.bugs) {
    const ProtocolBugInfo* b = find_protocol_bug(name);
    const BugReaction here = !b ? BugReaction::Unfixed : v == IkeVersion::V1 ? b->v1 : b->v2;
    if (here == BugReaction::Refuse) return here;
    if (here != BugReaction::Proceed) r = BugReaction::Unfixed;
  }
  return r;
}

std::string rules_of(const Peer& p) {
  std::string out;
  for (const std::string& name : p.bugs)
    if (const ProtocolBugInfo* b = find_protocol_bug(name))
      out += fmt::format("{}{}: {}", out.empty() ? "" : "; ", name, b->rules);
  return out;
}

class BugOracle : public Oracle {
 public:
  std::vector<std::string_view> classes() const override { return {"any"}; }
  std::vector<std::string_view> targets() const override { return emulated_targets(); }
};

// ---- BUG-SA: the hard invariant ------------------------------------------------------------------

class BugSa final : public BugOracle {
 public:
  std::string_view id() const override { return "BUG-SA"; }
  std::string_view statement() const override {
    return "No SA is ever established on an unverified certificate: when the emulated peer's certificate (or its "
           "binding to the ID) cannot be verified, no IKE SA comes up in either direction";
  }
  std::vector<std::string_view> rules() const override {
    return {"RFC 4945 §3.1",     "RFC 4945 §3.2.7.2", "RFC 4945 §3.3.10.1",
            "RFC 4945 §5.1.3.6", "RFC 7296 §2.21.2",  "RFC 7296 §3.6"};
  }
  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    const int b = bugged_peer(s);
    if (b < 0) return skip("no protocol bug");
    const Peer& p = s.peers[static_cast<std::size_t>(b)];
    const bool unverifiable = std::any_of(p.bugs.begin(), p.bugs.end(), [](const std::string& n) {
      const ProtocolBugInfo* i = find_protocol_bug(n);
      return i && i->unverifiable;
    });
    if (!unverifiable) return skip(p.name + "'s bugs (" + bug_list(p) + ") leave its certificate verifiable");
    int judged = 0;
    for (std::size_t d = 0; d < 2; ++d) {
      const Observation& o = in.obs[d];
      if (o.reason == Reason::Unsupported) continue;
      ++judged;
      // Even an infrastructure error counts: an IKE SA a side reported up is an SA.
      if (o.ike_sa == SaResult::Established)
        return fail(fmt::format("{}: the IKE SA came up although {}'s certificate cannot be verified ({}; {})",
                                facts::direction_text(s, o), p.name, bug_list(p), rules_of(p)),
                    static_cast<int>(d), s.ike_version == IkeVersion::V2 ? Message::IKE_AUTH : Message::MM5);
    }
    return judged ? pass() : skip("no direction ran");
  }
};

// ---- BUG-REACTION: what the RFCs require --------------------------------------------------------

class BugReactionOracle final : public BugOracle {
 public:
  std::string_view id() const override { return "BUG-REACTION"; }
  std::string_view statement() const override {
    return "The peer reacts to a protocol bug as RFC 4945 / RFC 7296 require: it proceeds as without the bug where "
           "the RFCs say the bug is harmless, and refuses (an IKEv2 responder with AUTHENTICATION_FAILED) where the "
           "certificate cannot be verified; a bug whose reaction the RFCs leave open is not judged here";
  }
  std::vector<std::string_view> rules() const override {
    return {"RFC 4945 §3.1",      "RFC 4945 §3.2.7.1",  "RFC 4945 §3.2.7.2",  "RFC 4945 §3.2.8.3",
            "RFC 4945 §3.3.10.1", "RFC 4945 §3.3.10.3", "RFC 4945 §3.3.10.4", "RFC 7296 §2.21.2"};
  }
  bool metamorphic() const override { return true; }
  std::vector<std::pair<std::string, Scenario>> relations(const Scenario& s, const ModelOptions&) const override {
    return without_bugs(s);
  }
  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    const int b = bugged_peer(s);
    if (b < 0) return skip("no protocol bug");
    if (in.related.size() != 1) return skip("the run without protocol bugs is missing");
    const Peer& p = s.peers[static_cast<std::size_t>(b)];
    const BugReaction want = required(p, s.ike_version);
    if (want == BugReaction::Unfixed)
      return skip(
          fmt::format("the RFCs leave the reaction to {} open ({}): hard invariants only", bug_list(p), rules_of(p)));
    const RelatedRun& clean = *in.related.front();
    int judged = 0;
    for (std::size_t d = 0; d < 2; ++d) {
      const Observation& o = in.obs[d];
      const Observation& c = clean.obs[d];
      // The run without the bug is the control: when it ran cleanly, a bugged run that ended in
      // words the observers do not know (INTERNAL_ERROR: a message dropped, a retransmission
      // given up) is the stack's reaction, and is judged.
      if (o.reason == Reason::Unsupported || is_infrastructure_error(c) || c.reason == Reason::Unsupported) continue;
      ++judged;
      const std::string dir = facts::direction_text(s, o);
      if (want == BugReaction::Proceed) {
        if (o.ike_sa != c.ike_sa || (in.observes_child_sa && o.child_sa != c.child_sa))
          return fail(fmt::format("{}: with {} the IKE SA is {} / CHILD SA {}, without it {} / {}; the RFCs require "
                                  "the exchange to proceed ({})",
                                  dir, bug_list(p), sa_result_text(o.ike_sa), sa_result_text(o.child_sa),
                                  sa_result_text(c.ike_sa), sa_result_text(c.child_sa), rules_of(p)),
                      static_cast<int>(d), o.failed_at);
        continue;
      }
      // Refuse: no IKE SA, and where the bugged peer initiated IKEv2 an AUTHENTICATION_FAILED answer --
      // judged only where the exchange would have come up without the bug (else it failed for another reason).
      if (o.ike_sa == SaResult::Established)
        return fail(fmt::format("{}: the IKE SA came up despite {} ({})", dir, bug_list(p), rules_of(p)),
                    static_cast<int>(d), o.failed_at);
      if (c.ike_sa != SaResult::Established) continue;
      if (failure_phase(o.failed_at) != "authentication")
        return fail(fmt::format("{}: with {} the exchange failed at {} ({}), not in the authentication exchange", dir,
                                bug_list(p), message_name(o.failed_at), reason_code(o.reason)),
                    static_cast<int>(d), o.failed_at);
      const bool bugged_initiates = o.initiator == static_cast<std::uint8_t>(b);
      if (s.ike_version == IkeVersion::V2 && bugged_initiates) {
        const bool notified = std::any_of(o.trace.begin(), o.trace.end(), [&](const std::string& line) {
          return line.rfind(p.name + ":", 0) == 0 && line.find("received AUTHENTICATION_FAILED") != std::string::npos;
        });
        if (!notified)
          return fail(fmt::format("{}: the responder refused {}'s IKE_AUTH ({}) without answering "
                                  "AUTHENTICATION_FAILED (RFC 7296 §2.21.2)",
                                  dir, p.name, bug_list(p)),
                      static_cast<int>(d), Message::IKE_AUTH);
      }
    }
    return judged ? pass() : skip("no direction judged (unsupported or infrastructure errors)");
  }

  static std::vector<std::pair<std::string, Scenario>> without_bugs(const Scenario& s) {
    if (bugged_peer(s) < 0) return {};
    Scenario clean = s;
    for (Peer& p : clean.peers) p.bugs.clear();
    return {{std::string(kWithoutBugs), std::move(clean)}};
  }
};

// ---- BUG-LIVENESS: the daemon stays up --------------------------------------------------------------

class BugLiveness final : public BugOracle {
 public:
  std::string_view id() const override { return "BUG-LIVENESS"; }
  std::string_view statement() const override {
    return "The daemon under test stays up through a protocol bug: it does not die during the bugged run, and a "
           "fresh valid exchange (the same scenario without the bugs) run after it is answered";
  }
  std::vector<std::string_view> rules() const override { return {"RFC 4945 §3.2.8", "RFC 4945 §3.3.10"}; }
  bool metamorphic() const override { return true; }
  std::vector<std::pair<std::string, Scenario>> relations(const Scenario& s, const ModelOptions&) const override {
    return BugReactionOracle::without_bugs(s);
  }
  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (bugged_peer(s) < 0) return skip("no protocol bug");
    if (in.related.size() != 1) return skip("the run without protocol bugs is missing");
    for (std::size_t d = 0; d < 2; ++d)
      for (const std::string& line : in.obs[d].trace)
        if (line.find("daemon died during the run") != std::string::npos)
          return fail(facts::direction_text(s, in.obs[d]) + " with " + protocol_bugs_of(s) + ": " + line,
                      static_cast<int>(d), in.obs[d].failed_at);
    const RelatedRun& clean = *in.related.front();
    int judged = 0;
    for (std::size_t d = 0; d < 2; ++d) {
      const Observation& c = clean.obs[d];
      if (c.reason == Reason::Unsupported) continue;
      ++judged;
      if (is_infrastructure_error(c) || c.reason == Reason::PeerUnreachable) {
        OracleResult r = fail(fmt::format("{} without the bugs, after the bugged run: {} ({})",
                                          facts::direction_text(clean.scenario, c), reason_code(c.reason),
                                          c.trace.empty() ? "" : c.trace.back()),
                              static_cast<int>(d), c.failed_at);
        r.related = 0;
        return r;
      }
    }
    return judged ? pass() : skip("no direction ran");
  }
};

}  // namespace

const Oracle& bug_sa_oracle() {
  static const BugSa o;
  return o;
}
const Oracle& bug_reaction_oracle() {
  static const BugReactionOracle o;
  return o;
}
const Oracle& bug_liveness_oracle() {
  static const BugLiveness o;
  return o;
}

bool is_protocol_bug_oracle(const Oracle& o) { return o.id().rfind("BUG-", 0) == 0; }

std::string protocol_bugs_of(const Scenario& s) {
  const int b = bugged_peer(s);
  return b < 0 ? "" : s.peers[static_cast<std::size_t>(b)].name + ": " + bug_list(s.peers[static_cast<std::size_t>(b)]);
}

}  // namespace ikeconform
