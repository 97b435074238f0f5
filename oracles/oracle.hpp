// Oracles: the claims of spec/cisco-ios-behavior.md section 5 (P-1..P-9), each a named object
// that cites the rules it rests on and judges the observations of both directions of a scenario.
//
// An oracle never asks the model how it decided: CERT_REQ sets, orders and certificate choices
// are re-derived from the scenario here (facts.hpp), so an oracle checks the model instead of
// repeating it, and the same oracle judges a real stack's observations.
//
// Metamorphic oracles (P-2, P-9) relate runs of two scenarios: `relations()` names the related
// scenarios (derived from the scenario alone, so a counterexample replays without extra state),
// the caller runs them on the same target and passes them to `check()` in `CheckInput::related`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"
#include "target/target.hpp"

namespace ikeconform {

enum class Verdict : std::uint8_t { Pass, Fail, Skip };
std::string_view verdict_text(Verdict v);  // "pass" | "fail" | "skip"

struct OracleResult {
  Verdict verdict = Verdict::Skip;
  std::string message;  // why it failed (or, for skip, which precondition did not hold)
  // Where a failure shows, for reports (docs/campaign.md "failing"): the direction (index into
  // the observations, or into related[related].obs), and the message where the claim broke when
  // the direction itself did not fail there (a wrong CERT_REQ order in a tunnel that came up).
  int direction = -1;
  int related = -1;
  Message at = Message::None;
  // What kind of failure this is, when an oracle can fail in several unrelated ways (DIFF-MODEL:
  // the first field that differs). Shrinking keeps a candidate only if it fails the same kind
  // of way, so a counterexample does not drift to another, less interesting mismatch.
  std::string kind = {};
  // Differential oracles: every difference of the failing direction (DIFF-MODEL: expected = the
  // model's, actual = the target's; DIFF-STACKS: expected = the main target's, actual = the
  // companion's), which the known-divergence file matches (reports/known_divergences.hpp).
  std::vector<ObservationDiff> differences = {};
};

// A scenario related to the checked one and what the target did with it.
// Cross-target oracles (DIFF-STACKS) get the same scenario run on the campaign's other targets
// as related runs too: relation "target <name>", `target` set.
struct RelatedRun {
  std::string relation;  // "reverse enrollment order of R1" | "target libreswan"
  Scenario scenario;
  Observation obs[2];
  std::string target = {};        // cross-target runs: the target that ran `scenario`
  bool observes_child_sa = true;  // cross-target runs: that target's Target::observes_child_sa()
};

struct CheckInput {
  const Scenario& scenario;
  const Observation (&obs)[2];  // obs[d]: peer d initiates
  // The options of the personality the target is believed to follow (derived expectations use them).
  const ModelOptions& options;
  const std::vector<const RelatedRun*>& related;  // one per relations() entry, in that order
                                                  // (cross-target oracles: one per companion target)
  bool observes_child_sa = true;                  // the judged target's Target::observes_child_sa()
  std::string target = {};                        // the judged target's name
};

// What an oracle needs to know about the target whose observations it judges.
struct TargetTraits {
  std::string name = "model";                        // "model", "strongswan", "exec:/path/to/adapter"
  std::string personality = std::string(kCiscoIos);  // the model personality the target's peers follow
  bool model = true;                                 // the reference model itself
};
TargetTraits traits_of(const Target& t);

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual std::string_view id() const = 0;                  // "P-1"
  virtual std::string_view statement() const = 0;           // one line
  virtual std::vector<std::string_view> rules() const = 0;  // "V1-5", "RFC 4945 §3.2.7.1", ...
  // Scenario classes (generators/generators.hpp) whose scenarios meet the precondition by construction.
  virtual std::vector<std::string_view> classes() const = 0;
  // Targets the claim speaks about, as tags: "cisco-ios" (peers following the Cisco note: the
  // model with cisco-ios peers, a real IOS pair later), "any" (every conformant stack: universal
  // properties), "real" (every target but the model: differential oracles), or a target name.
  // The P-1..P-9 claims are the Cisco note's; P-1 and P-6 are universal (docs/campaign.md).
  virtual std::vector<std::string_view> targets() const { return {kCiscoIos}; }
  // Whether a campaign on `t` runs this oracle (from targets()); `--oracle` refuses the others.
  bool applies_to(const TargetTraits& t) const;
  virtual bool metamorphic() const { return false; }
  // Differential oracles compare with the model's prediction; counterexamples then carry it
  // ("model_directions" in .observations.json).
  virtual bool differential() const { return false; }
  // Cross-target oracles (DIFF-STACKS) compare the target's observations with the same scenario
  // run on the campaign's other targets (`companions` of evaluate_all()); they get those runs as
  // `related`, one per companion, and skip when there is none.
  virtual bool cross_target() const { return false; }
  // The related scenarios to run (metamorphic oracles only); empty when the precondition fails.
  virtual std::vector<std::pair<std::string, Scenario>> relations(const Scenario&, const ModelOptions&) const {
    return {};
  }
  virtual OracleResult check(const CheckInput& in) const = 0;
};

// The Cisco note's claims P-1..P-9, in id order.
const std::vector<const Oracle*>& all_oracles();
// Every oracle: P-1..P-9, then the universal and differential ones (CERTREQ-ANCHORS, DIFF-MODEL,
// DIFF-STACKS; the last applies only to multi-target campaigns, tag "multi-target").
const std::vector<const Oracle*>& every_oracle();
// The oracles of every_oracle() that apply to `t`, in that order: a campaign's default set.
std::vector<const Oracle*> oracles_for(const TargetTraits& t);
// By id among every_oracle(), or nullptr.
const Oracle* find_oracle(std::string_view id);

// An observation that says nothing about the implementation under test: the infrastructure
// failed (a daemon crashed or refused the configuration we rendered, our own timeout, an
// adapter's own trouble). Its code is INTERNAL_ERROR (stable: adapters report it); the campaign
// journals it as `infrastructure_error` (docs/reasons.md).
inline bool is_infrastructure_error(const Observation& o) { return o.reason == Reason::InternalError; }

// A run no oracle can judge: a direction the target did not attempt because it cannot express
// the scenario (UNSUPPORTED) or because the infrastructure failed (is_infrastructure_error()).
// Returns why, or "".
std::string unjudgeable(const Scenario& s, const Observation (&obs)[2]);

// Runs the related scenarios an oracle asks for on `target` and checks it.
struct Evaluation {
  OracleResult result;
  std::vector<std::shared_ptr<const RelatedRun>> related;  // shared: P-2 and P-9 compare the same runs
};
// `companions`: the other targets of a multi-target campaign, for cross-target oracles; each
// runs for_target(companion, s) once (the model as a companion runs s with cisco-ios peers).
Evaluation evaluate(const Oracle& o, const Scenario& s, const Observation (&obs)[2], Target& target,
                    const ModelOptions& opt, const std::vector<Target*>& companions = {});

// The same for several oracles, running each distinct related scenario once.
std::vector<Evaluation> evaluate_all(const std::vector<const Oracle*>& oracles, const Scenario& s,
                                     const Observation (&obs)[2], Target& target, const ModelOptions& opt,
                                     const std::vector<Target*>& companions = {});

// The scenario a companion target runs for `s`: for_target(), and for the model cisco-ios peers
// (the generators' personality: "model Cisco<->Cisco").
Scenario companion_scenario(const Target& companion, const Scenario& s);

}  // namespace ikeconform
