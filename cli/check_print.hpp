// `check`'s text printer, shared with `emulate` (one printer for the ladder of a direction and
// the suggested fixes).
#pragma once

#include <string>
#include <vector>

#include "advice/fixes.hpp"
#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform::cli {

// "R1 -> R2: DOWN at MM5: ..." then the ladder and the "Why:" line. `not_initiated` non-empty:
// the direction is not initiated by design, and says why.
void print_direction(const Scenario& s, const Observation& o, const ModelOptions& opt,
                     const std::string& not_initiated = {});
// "Suggested fixes ...", or that no fix of one or two changes brings both directions up.
void print_fixes(const Scenario& s, const std::vector<Fix>& fixes);

}  // namespace ikeconform::cli
