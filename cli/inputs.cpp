#include "cli/inputs.hpp"

#include <fmt/format.h>

#include "model/input_error.hpp"
#include "model/personality.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::cli {

LoadedScenario load_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& show_certs,
                           const std::vector<std::string>& enrollment) {
  if (inputs.size() == 1) {
    if (!show_certs.empty() || !enrollment.empty())
      throw InputError(inputs[0], 0, "--show-certs and --enrollment apply to IOS configurations, not to a scenario file");
    return {load_scenario_file(inputs[0]), {}};
  }
  throw InputError(inputs.at(0), 0, "IOS configuration input is not built into this binary yet");
}

void apply_personalities(Scenario& s, const std::vector<std::string>& specs) {
  for (const std::string& spec : specs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) throw InputError("--personality", 0, fmt::format("'{}': expected NAME=PERSONALITY", spec));
    std::string name = spec.substr(0, eq), personality = spec.substr(eq + 1);
    if (!find_personality(personality))
      throw InputError("--personality", 0, fmt::format("unknown personality '{}' (known: {})", personality, fmt::join(personality_names(), ", ")));
    bool found = false;
    for (Peer& p : s.peers)
      if (p.name == name) {
        p.personality = personality;
        found = true;
      }
    if (!found) throw InputError("--personality", 0, fmt::format("no router named '{}' in the scenario", name));
  }
}

}  // namespace ikeconform::cli
