// CERTREQ-ANCHORS and DIFF-MODEL (universal.hpp). Like P-1..P-9 each names what it rests on and
// states its precondition as a skip.
#include "oracles/universal.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/personality.hpp"
#include "oracles/facts.hpp"

namespace ikeconform {
namespace {

OracleResult pass() { return {Verdict::Pass, {}, -1, -1, Message::None}; }
OracleResult skip(std::string m) { return {Verdict::Skip, std::move(m), -1, -1, Message::None}; }
OracleResult fail(std::string m, int direction, Message at) { return {Verdict::Fail, std::move(m), direction, -1, at}; }

std::string ca_names(const Scenario& s, const std::vector<CaIndex>& cas) { return facts::ca_list_text(s, cas); }

std::vector<CaIndex> minus(const std::vector<CaIndex>& a, const std::vector<CaIndex>& b) {
  std::vector<CaIndex> out;
  for (CaIndex x : a)
    if (std::find(b.begin(), b.end(), x) == b.end() && std::find(out.begin(), out.end(), x) == out.end())
      out.push_back(x);
  return out;
}

// ---- CERTREQ-ANCHORS --------------------------------------------------------------------------

// The message that carries a peer's CERTREQ list, by its personality (for reports only).
Message certreq_message(const Scenario& s, std::size_t sender, bool initiator) {
  if (s.ike_version == IkeVersion::V2) return initiator ? Message::IKE_AUTH : Message::IKE_SA_INIT;
  if (!initiator) return Message::MM4;
  const Personality* p = find_personality(s.peers[sender].personality);
  return p ? p->ikev1_initiator_certreq_message() : Message::MM3;
}

class CertReqAnchors final : public Oracle {
 public:
  std::string_view id() const override { return "CERTREQ-ANCHORS"; }
  std::string_view statement() const override {
    return "A CERTREQ names exactly the trust anchors the sender's local policy deems trusted for the exchange: the "
           "initiator those of its tunnel profile's restriction when it has one, else every anchor it holds; the "
           "responder, which has bound no profile yet, every anchor it holds (a stack other than IOS that validates "
           "with one CA of a profile's restriction, as a connection's rightca: that subset)";
  }
  std::vector<std::string_view> rules() const override {
    return {"RFC 4945 §3.2.7.1", "RFC 7296 §3.7", "V1-2", "V1-3", "V2-2"};
  }
  std::vector<std::string_view> classes() const override { return {"any", "symmetric", "unrestricted_v1"}; }
  std::vector<std::string_view> targets() const override { return {"any"}; }

  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (auto why = unjudgeable(s, in.obs); !why.empty()) return skip(why);
    int compared = 0;
    for (const Observation& o : in.obs)
      for (bool initiator : {true, false}) {
        const CertReqList& got = initiator ? o.certreq_from_initiator : o.certreq_from_responder;
        if (got.empty()) continue;  // a list never sent (or empty by choice) is not judged: SHOULD, not MUST
        ++compared;
        if (auto f = judge_list(s, o, initiator, got, in.options)) return *f;
      }
    return compared ? pass() : skip("no CERTREQ was sent");
  }

 private:
  static std::optional<OracleResult> judge_list(const Scenario& s, const Observation& o, bool initiator,
                                                const CertReqList& got, const ModelOptions& opt) {
    const std::size_t sender = initiator ? o.initiator : o.responder();
    const Peer& p = s.peers[sender];
    std::vector<CaIndex> want = facts::trust_anchors(s, sender, opt);
    std::string policy = "every anchor it holds";
    if (initiator) {  // the initiator knows its tunnel profile from the start
      const Profile& tunnel = *find_profile(p, p.tunnel_profile);
      // It expects a pre-shared key: no anchor of its policy is at stake (strongSwan still asks
      // for every CA it holds, ike_cert_pre.c build_certreqs()); not judged.
      if (tunnel.auth_remote == AuthMethod::PreShare) return std::nullopt;
      const auto r = facts::verify_restriction(s, p, tunnel);
      if (!r.empty()) {
        want = r;
        policy = "its profile " + p.tunnel_profile + "'s restriction";
      }
    }
    const std::vector<CaIndex> have = facts::cas_in(got);
    const auto extra = minus(have, want), missing = minus(want, have);
    if (extra.empty() && missing.empty()) return std::nullopt;
    // A responder other than IOS may have bound its configuration before it builds the CERTREQ
    // (Libreswan picks an IKEv1 connection by address at MM1 and asks for its `rightca`, one CA
    // per connection): CAs of one of its profiles' restrictions are then its local policy for the
    // exchange. A CA outside every restriction is still a finding.
    // Its initiator likewise validates with its connection's `rightca`, one CA of the tunnel
    // profile's restriction: the CERTREQ then names that subset.
    if (p.personality != kCiscoIos)
      for (const Profile& f : p.profiles) {
        if (initiator && f.name != p.tunnel_profile) continue;
        const auto r = facts::verify_restriction(s, p, f);
        if (!r.empty() && minus(have, r).empty()) return std::nullopt;
      }
    const std::string what = fmt::format("{}: {}'s CERTREQ as {} names {}", facts::direction_text(s, o), p.name,
                                         initiator ? "initiator" : "responder", ca_names(s, have));
    const std::string why = !extra.empty()
                                ? fmt::format("{} outside {} {}", ca_names(s, extra), policy, ca_names(s, want))
                                : fmt::format("but omits {} of {} {}", ca_names(s, missing), policy, ca_names(s, want));
    return fail(what + ", " + why, o.initiator, certreq_message(s, sender, initiator));
  }
};

// ---- DIFF-MODEL ---------------------------------------------------------------------------------

std::string diff_text(const std::vector<ObservationDiff>& d) {
  std::string out;
  for (const ObservationDiff& x : d)
    out += fmt::format("{}{}: model {}, target {}", out.empty() ? "" : "; ", x.field,
                       x.expected.empty() ? "(none)" : x.expected, x.actual.empty() ? "(none)" : x.actual);
  return out;
}

class DiffModel final : public Oracle {
 public:
  std::string_view id() const override { return "DIFF-MODEL"; }
  std::string_view statement() const override {
    return "The target's observation equals the model's prediction for the same personalities: outcome, failure point, "
           "reason, CERT_REQ lists, chosen certificates and bound profile, field by field";
  }
  std::vector<std::string_view> rules() const override { return {"spec/real-stacks.md", "personality"}; }
  std::vector<std::string_view> classes() const override { return {"any", "symmetric", "unrestricted_v1"}; }
  std::vector<std::string_view> targets() const override { return {"real"}; }
  bool differential() const override { return true; }

  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (auto why = unjudgeable(s, in.obs); !why.empty()) return skip(why);
    ModelOptions o = in.options;
    o.trace = false;
    Observation want[2];
    model_prediction(s, o, want, in.observes_child_sa);
    for (int d = 0; d < 2; ++d) {
      const auto diffs = diff(s, want[d], in.obs[d]);
      if (diffs.empty()) continue;
      const Message at = want[d].failed_at != Message::None ? want[d].failed_at : in.obs[d].failed_at;
      OracleResult r = fail(fmt::format("{} (model: {}): {}", facts::direction_text(s, in.obs[d]),
                                        facts::direction_text(s, want[d]), diff_text(diffs)),
                            d, at);
      r.kind = diffs.front().field;
      r.differences = diffs;
      return r;
    }
    return pass();
  }
};

// ---- DIFF-STACKS --------------------------------------------------------------------------------

std::string outcome_text(const Observation& o, bool child) {
  if (o.ike_sa != SaResult::Established)
    return fmt::format("IKE SA {}{}", sa_result_text(o.ike_sa),
                       o.failed_at != Message::None ? fmt::format(" at {}", message_name(o.failed_at)) : std::string());
  if (!child) return "IKE SA established";
  return fmt::format("IKE SA established, CHILD SA {}", sa_result_text(o.child_sa));
}

std::string pair_text(const Scenario& s, const Observation& o) {
  return fmt::format("{} -> {}", s.peers[o.initiator].name, s.peers[o.responder()].name);
}

class DiffStacks final : public Oracle {
 public:
  std::string_view id() const override { return "DIFF-STACKS"; }
  std::string_view statement() const override {
    return "The same scenario has the same outcome on every target of the campaign: IKE SA result, CHILD SA result "
           "where "
           "both targets observe it, and the phase a failure happened in (against the model's Cisco<->Cisco pair only "
           "for scenarios meeting P-1's precondition)";
  }
  std::vector<std::string_view> rules() const override { return {"spec/real-stacks.md", "RFC 7296", "RFC 2409"}; }
  std::vector<std::string_view> classes() const override { return {"any", "symmetric", "unrestricted_v1"}; }
  // Applies only where the campaign has companions (ikeconform campaign --diff-target).
  std::vector<std::string_view> targets() const override { return {"multi-target"}; }
  bool cross_target() const override { return true; }

  OracleResult check(const CheckInput& in) const override {
    const Scenario& s = in.scenario;
    if (auto why = unjudgeable(s, in.obs); !why.empty()) return skip(why);
    int compared = 0;
    std::string skipped;
    for (const RelatedRun* r : in.related) {
      if (r->target.empty()) continue;
      if (auto why = companion_unjudgeable(*r, in.options); !why.empty()) {
        skipped += (skipped.empty() ? "" : "; ") + r->target + ": " + why;
        continue;
      }
      ++compared;
      const bool child = in.observes_child_sa && r->observes_child_sa;
      for (int d = 0; d < 2; ++d) {
        auto x = outcome_difference(in.obs[d], r->obs[d], child);
        if (!x) continue;
        OracleResult f = fail(fmt::format("{}: {} {}, {} {} ({} differs)", pair_text(s, in.obs[d]),
                                          in.target.empty() ? "target" : in.target, outcome_text(in.obs[d], child),
                                          r->target, outcome_text(r->obs[d], child), x->field),
                              d, in.obs[d].failed_at != Message::None ? in.obs[d].failed_at : r->obs[d].failed_at);
        f.kind = r->target + ":" + x->field;
        f.differences = {{x->field, x->here, x->there}};
        return f;
      }
    }
    if (compared) return pass();
    return skip(skipped.empty() ? "no other target ran the scenario" : skipped);
  }
};

}  // namespace

std::string_view failure_phase(Message m) {
  switch (m) {
    case Message::MM1:
    case Message::MM2:
    case Message::IKE_SA_INIT: return "negotiation";
    case Message::MM3:
    case Message::MM4:
    case Message::MM5:
    case Message::MM6:
    case Message::IKE_AUTH: return "authentication";
    case Message::QM1:
    case Message::CREATE_CHILD_SA: return "child";
    case Message::None: return "";
  }
  return "";
}

std::optional<OutcomeDifference> outcome_difference(const Observation& here, const Observation& there, bool child) {
  if (here.ike_sa != there.ike_sa)
    return OutcomeDifference{"ike_sa", sa_result_text(here.ike_sa), sa_result_text(there.ike_sa)};
  if (here.ike_sa == SaResult::Established) {
    if (child && here.child_sa != there.child_sa)
      return OutcomeDifference{"child_sa", sa_result_text(here.child_sa), sa_result_text(there.child_sa)};
    return std::nullopt;
  }
  const std::string_view a = failure_phase(here.failed_at), b = failure_phase(there.failed_at);
  if (a != b) return OutcomeDifference{"failure_phase", std::string(a), std::string(b)};
  return std::nullopt;
}

std::string companion_unjudgeable(const RelatedRun& r, const ModelOptions& o) {
  if (auto why = unjudgeable(r.scenario, r.obs); !why.empty()) return why;
  if (r.target == "model") {
    std::string why;
    if (!facts::is_symmetric(r.scenario, o, &why))
      return "the model's Cisco<->Cisco pair is a reference only for symmetric scenarios (P-1's precondition): " + why;
  }
  return {};
}

void model_prediction(const Scenario& s, const ModelOptions& o, Observation (&out)[2], bool observes_child_sa) {
  ModelTarget model(o);
  model.run_both(s, out);
  if (!observes_child_sa)
    for (Observation& x : out) x = without_child_sa(std::move(x));
}

const Oracle& diff_stacks_oracle() {
  static const DiffStacks o;
  return o;
}

const Oracle& certreq_anchors_oracle() {
  static const CertReqAnchors o;
  return o;
}

const Oracle& diff_model_oracle() {
  static const DiffModel o;
  return o;
}

}  // namespace ikeconform
