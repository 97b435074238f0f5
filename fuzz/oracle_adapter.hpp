// The one place the fuzzer meets the oracles library (oracles/). The fuzzer never re-implements
// an oracle: it hands the scenario, options and both observations over and reports what comes
// back.
#pragma once

#include <string>
#include <vector>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform::fuzz::oracles {

struct Finding {
  std::string oracle;   // "P-1"
  std::string message;  // the oracle's own explanation
};

// `obs[d]` is direction d (peer d initiates), run on the model with `o`.
std::vector<Finding> check(const Scenario& s, const ModelOptions& o, const Observation (&obs)[2]);

}  // namespace ikeconform::fuzz::oracles
