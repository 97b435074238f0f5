#include "oracles/target.hpp"

#include "model/engine.hpp"

namespace ikeconform {

Observation ModelTarget::run(const Scenario& s, std::uint8_t initiator) { return run_direction(s, initiator, options_); }

void ModelTarget::run_both(const Scenario& s, Observation (&out)[2]) {
  const CompiledScenario cs = compile(s, options_);
  out[0] = run_direction(cs, 0, options_);
  out[1] = run_direction(cs, 1, options_);
}

std::unique_ptr<Target> make_target(const std::string& name, const ModelOptions& options) {
  if (name == "model") return std::make_unique<ModelTarget>(options);
  return nullptr;
}

}  // namespace ikeconform
