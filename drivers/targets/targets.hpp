// The real targets behind make_target() (target/target.hpp): `strongswan` (two charons in
// network namespaces, drivers/strongswan), `libreswan` (two plutos, drivers/libreswan),
// `strongswan,libreswan` / `libreswan,strongswan` (charon on one peer, pluto on the other in
// the order named, drivers/mixed) and `exec:PATH` (an adapter process speaking
// ikeconform.adapter/1, drivers/adapter). The CLI calls register_real_targets() once; the
// oracles library itself knows only the model.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/libreswan/target.hpp"
#include "drivers/mixed/mixed.hpp"
#include "drivers/strongswan/target.hpp"
#include "target/target.hpp"

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

// What the Libreswan and mixed targets share: a stack::PairRunner (one namespace pair, one
// daemon per peer, reused between scenarios) and captures appended run by run.
class PairTarget : public Target {
 public:
  bool slow() const override { return true; }
  // Libreswan cannot install a CHILD SA here (no ESP in the kernel): every pair with a Libreswan
  // peer reports the IKE SA only, and DIFF-MODEL compares with the model without the CHILD SA.
  bool observes_child_sa() const override { return false; }
  bool set_capture(const std::optional<std::filesystem::path>& file) override;

 protected:
  // Appends the last run's capture to the open capture file, if any.
  void captured(const stack::PairRunner& runner);
  std::optional<std::filesystem::path> capture_;
};

// ikeconform::Target over libreswan::Target: peers follow `libreswan-4.10`, the version comes
// from `pluto --version` ("Libreswan 4.10"), counterexamples get each peer's ipsec.conf.
class LibreswanTarget final : public PairTarget {
 public:
  explicit LibreswanTarget(stack::PairOptions o = {});
  std::string name() const override { return "libreswan"; }
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  std::string personality() const override { return libreswan::kPersonality; }
  std::optional<std::string> version() override;
  std::vector<RenderedFile> render(const Scenario& s) override;

  libreswan::Target& driver() { return target_; }

 private:
  libreswan::Target target_;
  std::filesystem::path key_cache_, temp_dir_;
};

// ikeconform::Target over mixed::Target: strongSwan on peer `strongswan_side`, Libreswan on the
// other ("strongswan,libreswan": side 0). personality() names both ("strongswan-5.9+libreswan-4.10");
// personalities() sets each peer's own.
class MixedTarget final : public PairTarget {
 public:
  explicit MixedTarget(std::size_t strongswan_side, stack::PairOptions o = {});
  std::string name() const override;  // "strongswan,libreswan" | "libreswan,strongswan"
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  std::string personality() const override;
  Scenario personalities(Scenario s) const override { return target_.personalities(std::move(s)); }
  std::optional<std::string> version() override;  // "strongSwan 5.9.8 + Libreswan 4.10"
  std::vector<RenderedFile> render(const Scenario& s) override;

  mixed::Target& driver() { return target_; }

 private:
  std::size_t strongswan_side_;
  mixed::Target target_;
  std::filesystem::path key_cache_, temp_dir_;
};

// "Libreswan 4.10" from `pluto --version`; nullopt when pluto is not there.
std::optional<std::string> libreswan_version();
// "strongSwan 5.9.8" from `charon-systemd --version` / the package; nullopt when unknown.
std::optional<std::string> strongswan_version();

// ipsec.conf of each peer ("R1.ipsec.conf"), made with a scratch PKI; empty when the scenario
// cannot be expressed on Libreswan. `only`: just that peer.
std::vector<RenderedFile> ipsec_conf_renderings(const Scenario& s, const std::filesystem::path& key_cache,
                                                const std::filesystem::path& temp_dir, std::optional<std::size_t> only = std::nullopt);

// swanctl.conf of each peer, as a counterexample shows it ("R1.swanctl.conf"); empty when the
// scenario cannot be expressed on strongSwan.
std::vector<RenderedFile> swanctl_renderings(const Scenario& s, std::optional<std::size_t> only = std::nullopt);

// Registers "strongswan", "libreswan", "strongswan,libreswan", "libreswan,strongswan" and
// "exec:" with make_target(). Idempotent.
void register_real_targets();

}  // namespace ikeconform::targets
