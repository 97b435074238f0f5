// Real pairs of different stacks: strongSwan (charon) on one peer, Libreswan (pluto) on the
// other, in either direction, through the per-peer stack interface (drivers/stack).
//
//   StrongswanPeer  one charon-systemd as a stack::PeerStack, built from drivers/strongswan's
//                   public pieces (renderer, VICI client, strongswan.conf, and observe() as
//                   the authority on charon's log vocabulary). The whole-pair strongSwan target
//                   (drivers/strongswan/target.hpp) stays as it is.
//   real_stacks()   the registry: "strongswan-5.9" -> charon, "libreswan-4.10" -> pluto.
//   Target          strongSwan on `strongswan_side`, Libreswan on the other peer, whatever the
//                   scenario's personalities say; compare with the model on personalities(s).
#pragma once

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "drivers/libreswan/pluto.hpp"
#include "drivers/stack/pair.hpp"
#include "drivers/strongswan/observe.hpp"
#include "drivers/strongswan/render.hpp"
#include "drivers/vici/vici.hpp"

namespace ikeconform::process {
class Daemon;
}

namespace ikeconform::mixed {

using Millis = std::chrono::milliseconds;
inline constexpr const char* kStrongswan = "strongswan-5.9";

struct StrongswanOptions {
  Millis start_timeout{5000};
  Millis vici_timeout{3000};
  Millis initiate_timeout{4000};
  Millis terminate_timeout{1000};
};

class StrongswanPeer final : public stack::PeerStack {
 public:
  StrongswanPeer(const netns::NetnsPair& net, std::size_t side, std::filesystem::path dir, StrongswanOptions o = {});
  ~StrongswanPeer() override;
  std::string_view personality() const override { return kStrongswan; }
  void prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) override;
  void initiate() override;
  stack::Progress progress(Role role) override;
  stack::SideReport report(Role role) override;
  void teardown() override;
  bool healthy() override;
  std::string describe() override;

 private:
  void start();
  void ensure_tunnel_address(std::size_t peer);
  void read_new_lines();
  strongswan::RunEvidence evidence(Role role, bool with_sas);
  const netns::NetnsPair& net_;
  std::size_t side_;
  std::filesystem::path dir_;
  StrongswanOptions o_;
  std::unique_ptr<process::Daemon> daemon_;
  std::optional<vici::Client> control_;  // loads, list-sas, terminate
  std::optional<vici::Client> ini_;      // initiate only: it blocks until charon is done
  std::future<vici::CommandResult> pending_;
  std::optional<vici::CommandResult> result_;
  std::string loaded_credentials_;  // skip identical credential reloads
  std::vector<std::string> tunnel_addresses_;
  const Scenario* scenario_ = nullptr;
  std::size_t peer_ = 0;
  strongswan::Material material_;
  strongswan::RenderOptions ro_;
  strongswan::PeerConfig config_;
  std::uintmax_t offset_ = 0;
  std::vector<strongswan::LogLine> lines_;
};

stack::StackFactory strongswan_factory(StrongswanOptions o = {});
// Both stacks by personality name.
stack::StackRegistry real_stacks(libreswan::PlutoOptions lo = {}, StrongswanOptions so = {});

class Target {
 public:
  explicit Target(std::size_t strongswan_side = 0, stack::PairOptions o = {});
  std::string name() const;  // "mixed:strongswan-5.9+libreswan-4.10"
  Observation run(const Scenario& s, std::uint8_t initiator);
  Observation run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator);
  stack::PairRunner& runner() { return runner_; }
  // Libreswan cannot install a CHILD SA here: compare with without_child_sa(model).
  static constexpr bool observes_child_sa() { return false; }
  // `s` with the personalities this target runs (what the model must be run with).
  Scenario personalities(Scenario s) const;

 private:
  std::size_t strongswan_side_;
  stack::PairRunner runner_;
};

}  // namespace ikeconform::mixed
