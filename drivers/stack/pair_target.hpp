// The one ikeconform::Target of every real implementation: a PairRunner over two StackKinds.
// `strongswan` is PairTarget(strongswan, strongswan), `strongswan,libreswan` is
// PairTarget(strongswan, libreswan) (strongSwan on peer 0): a target is named by its two stacks
// and knows nothing else about them. drivers/targets registers one for every stack and every
// ordered pair of two different stacks.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "drivers/stack/pair.hpp"
#include "target/target.hpp"

namespace ikeconform::stack {

class PairTarget final : public Target {
 public:
  // Peer 0 runs on `a`, peer 1 on `b`.
  PairTarget(StackKind a, StackKind b, PairOptions o = {}, RenderContext rc = {});

  std::string name() const override;  // "strongswan" (both the same) | "strongswan,libreswan"
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  // The same with a PKI made elsewhere (an adapter serving the harness's PKI).
  Observation run(const Scenario& s, const pki::Pki& pki, std::uint8_t initiator);
  // "strongswan-5.9", or both when they differ ("strongswan-5.9+libreswan-4.10").
  std::string personality() const override;
  Scenario personalities(Scenario s) const override;  // peer i follows stack i's personality
  // A pair with a side that cannot install a CHILD SA reports the IKE SA only; DIFF-MODEL
  // compares with without_child_sa(model).
  bool observes_child_sa() const override;
  Expressible expressible() const override;       // what both stacks express
  std::optional<std::string> version() override;  // "strongSwan 5.9.8", "strongSwan 5.9.8 + Libreswan 4.10"
  bool slow() const override { return true; }
  std::vector<RenderedFile> render(const Scenario& s) override;  // each peer in its stack's language
  // Every run's packets are appended to `file` (one pcap, one global header).
  bool set_capture(const std::optional<std::filesystem::path>& file) override;

  // `--peer-bug`: protocol bugs added to the scenario peers of every side that carries them out
  // (StackKind::protocol_bugs), so that the journal and the oracles see them in the scenario.
  void set_peer_bugs(std::vector<std::string> bugs) { peer_bugs_ = std::move(bugs); }

  PairRunner& runner() { return runner_; }
  const StackKind& kind(std::size_t side) const { return kinds_.at(side); }

 private:
  void captured();
  Scenario personalities_only(Scenario s) const;
  std::array<StackKind, 2> kinds_;
  PairRunner runner_;
  RenderContext rc_;
  std::optional<std::filesystem::path> capture_;
  std::vector<std::string> peer_bugs_;
};

}  // namespace ikeconform::stack
