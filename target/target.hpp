// A Target runs one direction of a scenario and reports an Observation. The model is one target;
// real stacks (strongSwan in network namespaces, an external adapter) are others. Oracles,
// campaigns and shrinking only ever talk to this interface, so they work unchanged on slow
// real targets (a shrink is bounded in target runs, see shrink.hpp).
//
// Targets are made by name with make_target(): "model" is built in; the real ones ("strongswan",
// "exec:PATH") live in drivers/ and are registered by drivers/targets (register_real_targets()),
// which keeps this library free of any dependency on the drivers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/expressible.hpp"
#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

// A configuration file a target renders for a scenario, shown beside the IOS rendering of a
// counterexample: `suffix` completes "<oracle>-<n>.<suffix>" (e.g. "R1.swanctl.conf").
struct RenderedFile {
  std::string suffix;
  std::string text;
};

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

  // --- what real targets add (the model keeps the defaults) ---

  // The model personality this target's peers follow ("strongswan-5.9"); "" when it runs the
  // personalities the scenario names (the model). Campaigns set every peer's personality to it,
  // so the model's prediction for the same scenario is the differential oracle's reference.
  // A target whose peers follow different personalities (a strongSwan <-> Libreswan pair) names
  // them both here ("strongswan-5.9+libreswan-4.10") and overrides personalities().
  virtual std::string personality() const { return {}; }
  // `s` with the personalities this target's peers follow, per peer: what the model must run to
  // predict the target. Default: every peer set to personality() (unchanged when it is "").
  virtual Scenario personalities(Scenario s) const {
    const std::string p = personality();
    if (!p.empty())
      for (Peer& peer : s.peers) peer.personality = p;
    return s;
  }
  // Whether the target can observe (install) a CHILD SA. A target that cannot (Libreswan here:
  // no ESP in the kernel) reports an established IKE SA with child_sa not_attempted; its
  // differential reference is the model's prediction without the CHILD SA verdict
  // (without_child_sa(), model/observation.hpp).
  virtual bool observes_child_sa() const { return true; }
  // What of the scenario format the target can run; campaigns generate only that. The model
  // runs everything.
  virtual Expressible expressible() const { return {}; }
  // What the target says about itself for reports ("strongSwan 5.9.8"); may start the target.
  virtual std::optional<std::string> version() { return std::nullopt; }
  virtual bool is_model() const { return false; }
  // Whether the target's observations come out of wall-clock work (daemons, processes): runs are
  // serial per instance and shrinking is kept short.
  virtual bool slow() const { return false; }
  // Configuration files of scenario `s` in the target's own language (swanctl.conf, ...).
  virtual std::vector<RenderedFile> render(const Scenario&) { return {}; }
  // While `file` is set, the packets of every run are captured into it (one pcap for all runs
  // between two calls); nullopt stops and closes the capture. Returns false when unsupported.
  virtual bool set_capture(const std::optional<std::filesystem::path>& /*file*/) { return false; }
};

// The in-process reference model with the given options. Stateless: one per thread is cheap.
class ModelTarget final : public Target {
 public:
  explicit ModelTarget(ModelOptions o = {}) : options_(o) {}
  std::string name() const override { return "model"; }
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  void run_both(const Scenario& s, Observation (&out)[2]) override;
  bool is_model() const override { return true; }
  const ModelOptions& options() const { return options_; }

 private:
  ModelOptions options_;
};

// How a campaign or replay configures a real target (the model only reads `options`).
struct TargetConfig {
  ModelOptions options;
  std::filesystem::path temp_dir = std::filesystem::temp_directory_path();  // daemons' run folders
  std::filesystem::path key_cache;                   // RSA keys for made PKIs; empty: the default cache
  std::vector<std::string> adapter_args;             // exec:PATH: extra arguments for the adapter
  std::chrono::milliseconds adapter_timeout{30000};  // exec:PATH: per reply
  bool keep_dirs = false;                            // leave configurations and logs on disk
  // `--peer-bug`: protocol bugs (model/protocol_bugs.hpp) every emulated side of the target
  // carries out, added to each scenario's peer on that side (for_target()).
  std::vector<std::string> peer_bugs;
};

// A factory for targets whose name starts with a registered prefix ("strongswan", "exec:").
using TargetFactory = std::function<std::unique_ptr<Target>(const std::string& name, const TargetConfig& config)>;
// `exact` true: the name must equal `prefix`; false: the name starts with it.
void register_target(std::string prefix, bool exact, TargetFactory factory);
// The names make_target() knows, for messages ("model, strongswan, exec:PATH").
std::string known_targets();

// Targets by name ("model", or a registered one); nullptr when unknown. May throw when the
// target exists but cannot be set up (a missing adapter executable).
std::unique_ptr<Target> make_target(const std::string& name, const ModelOptions& options);
std::unique_ptr<Target> make_target(const std::string& name, const TargetConfig& config);

// `s` as target `t` runs it: every peer's personality set to the one `t`'s peer follows
// (t.personalities(s); unchanged for the model).
Scenario for_target(const Target& t, Scenario s);

}  // namespace ikeconform
