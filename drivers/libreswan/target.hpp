// The Libreswan target: scenario peers on two plutos (drivers/libreswan/pluto.hpp), one per
// network namespace, reused between scenarios, driven by whack / addconn.
//
//   LibreswanPeer  the stack::PeerStack of one side: NSS database (restart when its content
//                  changes), rendered ipsec.conf loaded with addconn, `whack --initiate
//                  --asynchronous`, progress from the pluto log, report from the log plus
//                  `whack --showstates`, teardown = `whack --delete` of every connection
//                  (a responder's deferred into its next prepare(): one process start less).
//   Target         both peers on Libreswan, whatever their `personality` says (the Observation
//                  is the Libreswan pair's; compare it with the model run on
//                  with_personality(s, "libreswan-4.10")).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "drivers/libreswan/observe.hpp"
#include "drivers/libreswan/pluto.hpp"
#include "drivers/stack/pair.hpp"

namespace ikeconform::libreswan {

inline constexpr const char* kPersonality = "libreswan-4.10";

class LibreswanPeer final : public stack::PeerStack {
 public:
  LibreswanPeer(const netns::NetnsPair& net, std::size_t side, std::filesystem::path dir, PlutoOptions o = {});
  std::string_view personality() const override { return kPersonality; }
  void prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) override;
  void initiate() override;
  stack::Progress progress(Role role) override;
  stack::SideReport report(Role role) override;
  void teardown() override;
  bool healthy() override;
  std::string describe() override;

  Pluto& pluto() { return pluto_; }
  const PeerConfig& config() const { return config_; }
  std::size_t restarts() const { return restarts_; }  // pluto (re)starts, NSS changes included

 private:
  SideInput input(Role role);
  void read_new_lines();
  std::filesystem::path dir_;
  Pluto pluto_;
  std::string nss_fingerprint_;
  const Scenario* scenario_ = nullptr;
  std::size_t peer_ = 0;
  PeerConfig config_;
  std::uintmax_t offset_ = 0;
  std::vector<PlutoLine> lines_;
  std::vector<std::string> whack_output_;
  std::vector<std::string> to_delete_;  // the last scenario's connections, deleted by the next load
  bool initiated_ = false;
  std::size_t restarts_ = 0;
};

// The factory for stack::StackRegistry.
stack::StackFactory libreswan_factory(PlutoOptions o = {});

class Target {
 public:
  explicit Target(stack::PairOptions o = {}, PlutoOptions p = {});
  std::string name() const { return "libreswan"; }
  Observation run(const Scenario& s, std::uint8_t initiator);
  Observation run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator);
  stack::PairRunner& runner() { return runner_; }
  // Libreswan cannot install a CHILD SA here: compare with without_child_sa(model).
  static constexpr bool observes_child_sa() { return false; }

 private:
  stack::PairRunner runner_;
};

// A copy of `s` whose peers all have `personality` (what the model must be run with to predict
// a pair of that stack).
Scenario with_personality(Scenario s, const std::string& personality);

}  // namespace ikeconform::libreswan
