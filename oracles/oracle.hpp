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
#include "oracles/target.hpp"

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
};

// A scenario related to the checked one and what the target did with it.
struct RelatedRun {
  std::string relation;  // "reverse enrollment order of R1"
  Scenario scenario;
  Observation obs[2];
};

struct CheckInput {
  const Scenario& scenario;
  const Observation (&obs)[2];  // obs[d]: peer d initiates
  // The options of the personality the target is believed to follow (derived expectations use them).
  const ModelOptions& options;
  const std::vector<const RelatedRun*>& related;  // one per relations() entry, in that order
};

class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual std::string_view id() const = 0;         // "P-1"
  virtual std::string_view statement() const = 0;  // one line
  virtual std::vector<std::string_view> rules() const = 0;  // "V1-5", "RFC 4945 §3.2.7.1", ...
  // Scenario classes (generators/generators.hpp) whose scenarios meet the precondition by construction.
  virtual std::vector<std::string_view> classes() const = 0;
  // Targets the claim speaks about: the claims are the Cisco note's, so any target whose two peers
  // follow the cisco-ios personality ("model" today, a real IOS pair later).
  virtual std::vector<std::string_view> targets() const { return {"model", "cisco-ios"}; }
  virtual bool metamorphic() const { return false; }
  // The related scenarios to run (metamorphic oracles only); empty when the precondition fails.
  virtual std::vector<std::pair<std::string, Scenario>> relations(const Scenario&, const ModelOptions&) const { return {}; }
  virtual OracleResult check(const CheckInput& in) const = 0;
};

// Every oracle, in id order; `find_oracle("P-3")` or nullptr.
const std::vector<const Oracle*>& all_oracles();
const Oracle* find_oracle(std::string_view id);

// Runs the related scenarios an oracle asks for on `target` and checks it.
struct Evaluation {
  OracleResult result;
  std::vector<std::shared_ptr<const RelatedRun>> related;  // shared: P-2 and P-9 compare the same runs
};
Evaluation evaluate(const Oracle& o, const Scenario& s, const Observation (&obs)[2], Target& target, const ModelOptions& opt);

// The same for several oracles, running each distinct related scenario once.
std::vector<Evaluation> evaluate_all(const std::vector<const Oracle*>& oracles, const Scenario& s, const Observation (&obs)[2],
                                     Target& target, const ModelOptions& opt);

}  // namespace ikeconform
