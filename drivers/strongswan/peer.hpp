// strongSwan 5.9 (charon) as a stack::PeerStack: one charon-systemd serving one scenario peer in
// its network namespace, driven through VICI (drivers/vici). A strongSwan pair, and strongSwan
// beside any other stack, is two PeerStacks under the one pair runner (drivers/stack/pair.hpp).
//
//   StrongswanPeer  start: strongswan.conf + charon-systemd, ready when VICI answers `stats`;
//                   prepare: render (render.hpp), load credentials (skipped while unchanged) and
//                   the connections under fresh names; initiate: VICI `initiate` on a thread of
//                   its own (it returns only when charon is done); progress / report: the
//                   filelog since prepare() plus `list-sas`, read by observe.hpp; teardown:
//                   terminate every IKE_SA, unload the connections.
//   stack_kind()    the registry entry: names, personality, factory, version, swanctl.conf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/stack/stack.hpp"
#include "drivers/strongswan/observe.hpp"
#include "drivers/strongswan/render.hpp"
#include "drivers/vici/vici.hpp"

namespace ikeconform::process {
class Daemon;
}

namespace ikeconform::strongswan {

inline constexpr const char* kName = "strongswan";
inline constexpr std::string_view kPersonality = kStrongswan59;

class StrongswanPeer final : public stack::PeerStack {
 public:
  // Starts charon-systemd in side `side` of `net`; its files live in `dir` (created).
  StrongswanPeer(const netns::NetnsPair& net, std::size_t side, std::filesystem::path dir, stack::StackOptions o = {});
  ~StrongswanPeer() override;
  std::string_view personality() const override { return kPersonality; }
  void prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) override;
  void initiate() override;
  stack::Progress progress(Role role, bool child) override;
  void wait(std::chrono::microseconds d) override;  // returns when the initiate does
  stack::SideReport report(Role role) override;
  void teardown() override;
  bool healthy() override;
  std::string describe() override;
  std::optional<int> daemon_pid() override;
  std::optional<std::size_t> half_open_sas() override;  // VICI stats: ikesas.half-open
  // flush_line = yes: what charon logged before sending a message is on disk when it is sent.
  std::chrono::milliseconds log_lag() const override { return {}; }
  bool unreadable_answer() override;  // "ignore malformed INFORMATIONAL request"

  // "strongSwan 5.9.8" from VICI `version`.
  std::string daemon_version();
  vici::Client& control() { return *control_; }  // e.g. for a bench's bare handshakes
  const std::filesystem::path& dir() const { return dir_; }

 private:
  void start();
  void ensure_tunnel_address(std::size_t peer);
  void read_new_lines();
  void collect_initiate();
  const netns::NetnsPair& net_;
  std::size_t side_;
  std::filesystem::path dir_;
  stack::StackOptions o_;
  std::unique_ptr<process::Daemon> daemon_;
  std::optional<vici::Client> control_;  // loads, list-sas, terminate
  std::optional<vici::Client> ini_;      // initiate only: it blocks until charon is done
  std::future<vici::CommandResult> pending_;
  std::optional<vici::CommandResult> result_;
  std::string loaded_credentials_;  // skip identical credential reloads
  std::vector<std::string> tunnel_addresses_;
  const Scenario* scenario_ = nullptr;
  std::size_t peer_ = 0;
  Material material_;
  RenderOptions ro_;
  PeerConfig config_;
  std::uintmax_t offset_ = 0;
  SideEvidence side_evidence_;  // the log since prepare()
};

// Loads a rendered peer into one charon over `v`: its credentials (clear-creds, then every load;
// skipped while `loaded_credentials` already holds the same ones, and updated) and its
// connections.
void load_peer(vici::Client& v, std::string& loaded_credentials, const PeerConfig& pc);

// "strongSwan 5.9.8" from the installed package, without starting a daemon; nullopt when unknown.
std::optional<std::string> installed_version();

// swanctl.conf of peer `peer`, as a counterexample shows it ("R1.swanctl.conf"); empty when the
// scenario cannot be expressed on strongSwan.
std::vector<RenderedFile> swanctl_rendering(const Scenario& s, std::size_t peer);

// The registry entry (drivers/targets): "strongswan", personality strongswan-5.9.
stack::StackKind stack_kind();

}  // namespace ikeconform::strongswan
