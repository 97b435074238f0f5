#include "target/target.hpp"

#include <mutex>
#include <vector>

#include "model/engine.hpp"

namespace ikeconform {

Observation ModelTarget::run(const Scenario& s, std::uint8_t initiator) {
  return run_direction(s, initiator, options_);
}

void ModelTarget::run_both(const Scenario& s, Observation (&out)[2]) {
  const CompiledScenario cs = compile(s, options_);
  out[0] = run_direction(cs, 0, options_);
  out[1] = run_direction(cs, 1, options_);
}

namespace {

struct Registered {
  std::string prefix;
  bool exact = true;
  TargetFactory factory;
};

struct Registry {
  std::mutex mu;
  std::vector<Registered> entries;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_target(std::string prefix, bool exact, TargetFactory factory) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  for (Registered& e : r.entries)
    if (e.prefix == prefix) {  // registering twice (tests, main) replaces
      e = {std::move(prefix), exact, std::move(factory)};
      return;
    }
  r.entries.push_back({std::move(prefix), exact, std::move(factory)});
}

std::string known_targets() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  std::string out = "model";
  for (const Registered& e : r.entries) out += ", " + e.prefix + (e.exact ? "" : "PATH");
  return out;
}

std::unique_ptr<Target> make_target(const std::string& name, const TargetConfig& config) {
  if (name == "model") return std::make_unique<ModelTarget>(config.options);
  TargetFactory factory;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    for (const Registered& e : r.entries)
      if (e.exact ? name == e.prefix : name.size() > e.prefix.size() && name.rfind(e.prefix, 0) == 0)
        factory = e.factory;
  }
  return factory ? factory(name, config) : nullptr;
}

std::unique_ptr<Target> make_target(const std::string& name, const ModelOptions& options) {
  TargetConfig c;
  c.options = options;
  return make_target(name, c);
}

Scenario for_target(const Target& t, Scenario s) { return t.personalities(std::move(s)); }

}  // namespace ikeconform
