#include "fuzz/model_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <string>

#include "fuzz/oracle_adapter.hpp"
#include "fuzz/targets.hpp"
#include "model/engine.hpp"
#include "model/observation_json.hpp"
#include "model/personality.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::fuzz {
namespace {

// Everything a reader needs to reproduce: options, the scenario as scenario/1, what happened.
std::string details(const Scenario& s, const ModelOptions& o, const Observation* obs) {
  std::string opts;
  for (const auto& [k, v] : describe(o)) opts += (opts.empty() ? "" : ",") + k + "=" + v;
  std::string out = "IKECONFORM_FUZZ_MODEL_OPTIONS=\"" + opts + "\"\n--- scenario (ikeconform.scenario/1) ---\n" +
                    scenario_to_text(s);
  if (obs)
    for (int d = 0; d < 2; ++d)
      out += fmt::format("--- direction {} ---\n{}\n", d, observation_to_json(s, obs[d]).dump(2));
  return out;
}

// Model invariants that hold whatever the personality and options: each is a statement about
// one observation, not a spec rule (those are the oracles' business).
class Consistency {
 public:
  Consistency(const CompiledScenario& cs, const Observation& o, std::uint8_t initiator)
      : cs_(cs), o_(o), initiator_(initiator) {}

  // Returns "" when consistent, else the first broken invariant.
  std::string check() const {
    if (o_.initiator != initiator_) return "observation names the wrong initiator";
    if (o_.ike_version != cs_.scenario->ike_version) return "observation has the wrong IKE version";
    if (auto e = outcome(); !e.empty()) return e;
    if (auto e = chosen(); !e.empty()) return e;
    if (auto e = certreqs(o_.certreq_from_initiator, initiator_, "initiator"); !e.empty()) return e;
    if (auto e = certreqs(o_.certreq_from_responder, o_.responder(), "responder"); !e.empty()) return e;
    return "";
  }

 private:
  // failed_at / reason are set exactly when something did not come up, and say where.
  std::string outcome() const {
    if (o_.ike_sa == SaResult::NotAttempted) return "ike_sa not_attempted after a run";
    if (o_.ike_sa == SaResult::Failed) {
      if (o_.failed_at == Message::None || o_.reason == Reason::None) return "ike_sa failed without failed_at/reason";
      if (o_.child_sa != SaResult::NotAttempted) return "child_sa attempted after ike_sa failed";
      return "";
    }
    if (o_.child_sa == SaResult::NotAttempted) return "ike_sa established but child_sa not attempted";
    const bool up = o_.child_sa == SaResult::Established;
    if (up != (o_.failed_at == Message::None)) return "failed_at set iff not established is broken";
    if (up != (o_.reason == Reason::None)) return "reason set iff not established is broken";
    // Spec, IOS semantics: an IKEv1 responder whose peer matches none of its profiles goes on with
    // its global configuration (a cisco-ios responder); any other responder needs a profile.
    if (o_.responder_profile == kNone && !global_configuration())
      return "established without a bound responder profile";
    return "";
  }

  std::string chosen() const {
    const PeerCtx& ini = cs_.peers[initiator_];
    const PeerCtx& res = cs_.peers[o_.responder()];
    if (o_.initiator_trustpoint != kNone && !ini.enrolled(o_.initiator_trustpoint))
      return "initiator's chosen trustpoint holds no identity certificate";
    if (o_.responder_trustpoint != kNone && !res.enrolled(o_.responder_trustpoint))
      return "responder's chosen trustpoint holds no identity certificate";
    const auto nprof = static_cast<std::int16_t>(res.peer->profiles.size());
    if (o_.responder_profile < kNone || o_.responder_profile >= nprof) return "responder_profile out of range";
    if (o_.ike_sa != SaResult::Established) return "";
    // An established SA authenticated each side that signs, so each sent a certificate.
    const bool v1 = o_.ike_version == IkeVersion::V1;
    const bool i_signs = ini.tunnel_profile().auth_local == AuthMethod::RsaSig;
    const bool r_signs = v1 ? i_signs
                            : res.peer->profiles[static_cast<std::size_t>(o_.responder_profile)].auth_local ==
                                  AuthMethod::RsaSig;
    if (i_signs && o_.initiator_trustpoint == kNone) return "established, initiator signs, but sent no certificate";
    if (r_signs && o_.responder_trustpoint == kNone) return "established, responder signs, but sent no certificate";
    return "";
  }

  bool global_configuration() const {
    return o_.ike_version == IkeVersion::V1 && cs_.peers[o_.responder()].personality->ikev1_unmatched_uses_global();
  }

  // Every entry names a CA in range, through a trustpoint of the sender anchoring that CA;
  // no CA twice (V1-4 "duplicates dropped").
  std::string certreqs(const CertReqList& l, std::uint8_t sender, const char* who) const {
    const PeerCtx& p = cs_.peers[sender];
    for (std::size_t i = 0; i < l.size(); ++i) {
      const CertReq& c = l[i];
      if (c.ca < 0 || c.ca >= cs_.ca_count)
        return fmt::format("{} CERT_REQ #{} names CA index {} out of range", who, i, c.ca);
      if (c.trustpoint < 0 || c.trustpoint >= p.all_tps)
        return fmt::format("{} CERT_REQ #{} has no sender trustpoint", who, i);
      if (p.ca_of(c.trustpoint) != c.ca)
        return fmt::format("{} CERT_REQ #{} names a CA its trustpoint does not anchor", who, i);
      for (std::size_t k = 0; k < i; ++k)
        if (l[k].ca == c.ca) return fmt::format("{} CERT_REQ #{} repeats CA index {}", who, i, c.ca);
    }
    return "";
  }

  const CompiledScenario& cs_;
  const Observation& o_;
  std::uint8_t initiator_;
};

bool same_outcome(const Observation& a, const Observation& b) {
  return a.initiator == b.initiator && a.ike_version == b.ike_version && a.ike_sa == b.ike_sa &&
         a.child_sa == b.child_sa && a.failed_at == b.failed_at && a.reason == b.reason &&
         a.initiator_trustpoint == b.initiator_trustpoint && a.responder_trustpoint == b.responder_trustpoint &&
         a.responder_profile == b.responder_profile && a.certreq_from_initiator == b.certreq_from_initiator &&
         a.certreq_from_responder == b.certreq_from_responder;
}

}  // namespace

// Tracing formats ~30 lines per direction, more than the whole negotiation costs, so the
// trace-on comparison runs on one input in eight (chosen by the caller, deterministically) and
// again only to print a violation.
void check_model_scenario(const Scenario& s, const ModelOptions& o, std::string_view target, bool compare_traced) {
  ModelOptions fast = o, traced = o;
  fast.trace = false;
  traced.trace = true;
  Observation obs[2], again[2];
  try {
    // validate() passed: compile() and both directions must work.
    const CompiledScenario cs = compile(s, fast);
    auto traced_runs = [&] {
      for (std::uint8_t d = 0; d < 2; ++d) again[d] = run_direction(cs, d, traced);
      return again;
    };
    for (std::uint8_t d = 0; d < 2; ++d) {
      obs[d] = run_direction(cs, d, fast);
      if (auto why = Consistency(cs, obs[d], d).check(); !why.empty())
        report_violation(target, fmt::format("model inconsistency (direction {}): {}", d, why),
                         details(s, o, traced_runs()));
    }
    // Same input, same answer; and the trace is a by-product that never steers the outcome.
    for (std::uint8_t d = 0; d < 2; ++d) again[d] = run_direction(cs, d, compare_traced ? traced : fast);
    for (int d = 0; d < 2; ++d)
      if (!same_outcome(obs[d], again[d]))
        report_violation(target,
                         fmt::format("model not deterministic (direction {}, second run trace={})", d, compare_traced),
                         details(s, o, traced_runs()));
    if (const auto findings = oracles::check(s, fast, obs); !findings.empty()) {
      const oracles::Finding& f = findings.front();
      report_violation(target, "oracle " + f.oracle + " violated: " + f.message, details(s, o, traced_runs()));
    }
  } catch (const std::exception& e) {
    report_violation(target, std::string("model threw on a valid scenario: ") + e.what(), details(s, o, nullptr));
  }
}

}  // namespace ikeconform::fuzz
