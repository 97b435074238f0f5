// What the model target checks on one valid scenario: both directions run, the model is
// deterministic and tracing does not change outcomes, every observation is internally
// consistent, and no oracle objects (through oracle_adapter.hpp).
#pragma once

#include <string_view>

#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform::fuzz {

// `compare_traced`: also run with the trace on and require the same outcome (costly).
void check_model_scenario(const Scenario& s, const ModelOptions& o, std::string_view target, bool compare_traced);

}  // namespace ikeconform::fuzz
