// An observation as JSON with names instead of indices: the `directions` entries of
// `ikeconform check --json` (docs/check-json.md), journal lines and the adapter protocol.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/observation.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

nlohmann::ordered_json observation_to_json(const Scenario& s, const Observation& o);
// Inverse of observation_to_json; throws InputError (file, 0, ...) when a name does not resolve.
Observation observation_from_json(const Scenario& s, const nlohmann::json& j, const std::string& file);

}  // namespace ikeconform
