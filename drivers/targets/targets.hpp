// The real targets behind make_target() (oracles/target.hpp): `strongswan` (two charons in
// network namespaces, drivers/strongswan) and `exec:PATH` (an adapter process speaking
// ikeconform.adapter/1, drivers/adapter). The CLI calls register_real_targets() once; the
// oracles library itself knows only the model.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/strongswan/target.hpp"
#include "oracles/target.hpp"

namespace ikeconform::targets {

inline constexpr const char* kStrongswanPersonality = "strongswan-5.9";

// ikeconform::Target over strongswan::Target: peers follow `strongswan-5.9`, the version comes
// from VICI, counterexamples get swanctl.conf renderings, captures run tcpdump in the namespace.
class StrongswanTarget final : public Target {
 public:
  explicit StrongswanTarget(strongswan::TargetOptions o = {});
  std::string name() const override { return "strongswan"; }
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  std::string personality() const override { return kStrongswanPersonality; }
  std::optional<std::string> version() override;
  bool slow() const override { return true; }
  std::vector<RenderedFile> render(const Scenario& s) override;
  bool set_capture(const std::optional<std::filesystem::path>& file) override;

  strongswan::Target& driver() { return target_; }

 private:
  strongswan::Target target_;
};

// swanctl.conf of each peer, as a counterexample shows it ("R1.swanctl.conf"); empty when the
// scenario cannot be expressed on strongSwan.
std::vector<RenderedFile> swanctl_renderings(const Scenario& s);

// Registers "strongswan" and "exec:" with make_target(). Idempotent.
void register_real_targets();

}  // namespace ikeconform::targets
