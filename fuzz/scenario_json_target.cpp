// Target `scenario_json`: the strict scenario/1 loader and the canonical writer.
// Properties:
//  - accepted  => validate() is empty, write -> load gives an identical Scenario, and writing
//                 that again gives identical text (the writer is canonical);
//  - accepted  => compile() succeeds for known personalities and both directions run;
//  - rejected  => only InputError, and its message is "<file>:<line>: ..." with the line inside
//                 the input (text input has no file-level errors: line 0 is a violation).
#include <exception>

#include "fuzz/targets.hpp"
#include "fuzz/util.hpp"
#include "model/engine.hpp"
#include "model/input_error.hpp"
#include "model/personality.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "scenario_json";
constexpr const char* kFile = "fuzz.json";

void check_round_trip(const Scenario& s) {
  if (auto problems = validate(s); !problems.empty())
    report_violation(kTarget, "loader accepted a scenario validate() rejects: " + problems.front(),
                     scenario_to_text(s));
  const std::string text = scenario_to_text(s);
  Scenario again;
  try {
    again = scenario_from_json_text(text, "written.json");
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("written scenario does not load: ") + e.what(), text);
  }
  if (!(again == s)) report_violation(kTarget, "write -> load changed the scenario", text);
  if (scenario_to_text(again) != text)
    report_violation(kTarget, "writer is not canonical (second write differs)", text);
}

// validate() passed, so compile() may only object to an unknown personality.
void check_runs(const Scenario& s) {
  for (const Peer& p : s.peers)
    if (!find_personality(p.personality)) return;
  ModelOptions o;
  o.trace = false;
  try {
    CompiledScenario cs = compile(s, o);
    (void)run_direction(cs, 0, o);
    (void)run_direction(cs, 1, o);
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("model rejects a scenario the loader accepted: ") + e.what(),
                     scenario_to_text(s));
  }
}

}  // namespace

int fuzz_scenario_json(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  Scenario s;
  try {
    s = scenario_from_json_text(text, kFile);
  } catch (const InputError& e) {
    if (auto why = check_error_location(e.what(), kFile, e.line(), line_count(text), false); !why.empty())
      report_violation(kTarget, "bad error location: " + why, e.what());
    return 0;
  } catch (const std::exception& e) {
    report_violation(kTarget, std::string("loader threw something other than InputError: ") + e.what());
  }
  check_round_trip(s);
  check_runs(s);
  return 0;
}

}  // namespace ikeconform::fuzz
