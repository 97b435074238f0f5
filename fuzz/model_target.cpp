// Target `model`: structure-aware. Bytes -> Scenario (scenario_builder.hpp) -> validate();
// valid scenarios run both directions on the model and go through check_model_scenario().
#include <cstdio>

#include "fuzz/model_checks.hpp"
#include "fuzz/scenario_builder.hpp"
#include "fuzz/targets.hpp"
#include "fuzz/util.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::fuzz {
namespace {

constexpr std::string_view kTarget = "model";

}  // namespace

int fuzz_model(const std::uint8_t* data, std::size_t size) {
  const Scenario s = build_scenario(data, size);
  if (print_scenarios())
    std::fprintf(stdout, "%s(valid: %s)\n", scenario_to_text(s).c_str(), validate(s).empty() ? "yes" : "no");
  // Invalid scenarios explore nothing of the model: -1 keeps them out of the corpus. (That the
  // loader rejects them too is left to the scenario_json target: JSON here costs 10x the model.)
  if (!validate(s).empty()) return -1;
  check_model_scenario(s, model_options(), kTarget, size % 8 == 0);
  return 0;
}

// Regression inputs may also be stored as the scenario a violation printed (stable across
// changes of the byte layout): corpus/regressions/model/*.json.
int fuzz_model_scenario_json(const std::uint8_t* data, std::size_t size) {
  const Scenario s = scenario_from_json_text(as_text(data, size), "regression.json");
  check_model_scenario(s, model_options(), kTarget, true);
  return 0;
}

}  // namespace ikeconform::fuzz
