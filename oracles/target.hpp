// A Target runs one direction of a scenario and reports an Observation. The model is one target;
// real stacks (strongSwan in network namespaces, an external adapter) are others. Oracles,
// campaigns and shrinking only ever talk to this interface, so they work unchanged on slow
// real targets (a shrink is bounded in target runs, see shrink.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  // Peer `initiator` (0 or 1) initiates towards the other one. May throw on a broken target.
  virtual Observation run(const Scenario& s, std::uint8_t initiator) = 0;
  // Both directions; targets that can share work between them (the model compiles once) override it.
  virtual void run_both(const Scenario& s, Observation (&out)[2]) {
    out[0] = run(s, 0);
    out[1] = run(s, 1);
  }
};

// The in-process reference model with the given options. Stateless: one per thread is cheap.
class ModelTarget final : public Target {
 public:
  explicit ModelTarget(ModelOptions o = {}) : options_(o) {}
  std::string name() const override { return "model"; }
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  void run_both(const Scenario& s, Observation (&out)[2]) override;
  const ModelOptions& options() const { return options_; }

 private:
  ModelOptions options_;
};

// Targets by name ("model"); nullptr when unknown. `options` configures the model target.
std::unique_ptr<Target> make_target(const std::string& name, const ModelOptions& options);

}  // namespace ikeconform
