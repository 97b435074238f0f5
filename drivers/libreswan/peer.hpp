// Libreswan 4.10 (pluto) as a stack::PeerStack: one pluto (drivers/libreswan/pluto.hpp) serving
// one scenario peer in its network namespace, driven by whack / addconn. A Libreswan pair, and
// Libreswan beside any other stack, is two PeerStacks under the one pair runner.
//
//   LibreswanPeer  the stack::PeerStack of one side: NSS database (restart when its content
//                  changes), rendered ipsec.conf loaded with addconn, `whack --initiate
//                  --asynchronous`, progress from the pluto log, report from the log plus
//                  `whack --showstates`, teardown = `whack --terminate` of every connection
//                  (their deletion deferred into the next prepare(), which keeps them when
//                  the next run needs the same: the other direction of one scenario).
//   stack_kind()   the registry entry: names, personality, factory, version, ipsec.conf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/libreswan/observe.hpp"
#include "drivers/libreswan/pluto.hpp"
#include "drivers/process/process.hpp"
#include "drivers/stack/stack.hpp"

namespace ikeconform::libreswan {

inline constexpr const char* kName = "libreswan";
inline constexpr std::string_view kPersonality = kLibreswan410;

class LibreswanPeer final : public stack::PeerStack {
 public:
  LibreswanPeer(const netns::NetnsPair& net, std::size_t side, std::filesystem::path dir,
                const stack::StackOptions& o = {}, std::filesystem::path prefix = libreswan_prefix());
  std::string_view personality() const override { return kPersonality; }
  void prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) override;
  void initiate() override;
  stack::Progress progress(Role role, bool child) override;
  stack::SideReport report(Role role) override;
  void teardown() override;
  bool healthy() override;
  bool refused_silently() override;
  bool refused_first_message() override { return refused_silently(); }  // the only silent refusal known
  bool unreadable_answer() override;
  std::string describe() override;

  Pluto& pluto() { return pluto_; }
  std::optional<int> daemon_pid() override { return pluto_.pid(); }
  std::optional<std::size_t> half_open_sas() override;  // whack --globalstatus: iketype.halfopen
  const PeerConfig& config() const { return config_; }
  std::size_t restarts() const { return restarts_; }  // pluto (re)starts, NSS changes included
  std::size_t reuses() const { return reuses_; }      // runs that kept the last run's connections

 private:
  SideInput input(Role role);
  void read_new_lines();
  std::filesystem::path dir_;
  // Built NSS databases by content, copied into pluto's on a change: on scratch_base(), since
  // certutil and pk12util sync after every object (on ext4, about half of a change's time).
  std::unique_ptr<process::TempDir> templates_;
  Pluto pluto_;
  std::string nss_fingerprint_;
  const Scenario* scenario_ = nullptr;
  std::size_t peer_ = 0;
  PeerConfig config_;
  std::uintmax_t offset_ = 0;
  std::vector<PlutoLine> lines_;
  std::vector<std::string> whack_output_;
  std::vector<std::string> to_delete_;  // the last run's connections, deleted by the next load
  // What pluto holds (NSS content + the ipsec.conf without its run prefix) and the config it was
  // loaded as: the next run that needs the same keeps them. Empty key: nothing reusable.
  std::string loaded_key_;
  PeerConfig loaded_;
  bool initiated_ = false;
  std::size_t restarts_ = 0;
  std::size_t reuses_ = 0;
};

// "Libreswan 4.10" from `pluto --version`; nullopt when pluto is not there.
std::optional<std::string> installed_version();

// ipsec.conf of peer `peer` ("R1.ipsec.conf"), made with a scratch PKI (nicknames and CKAIDs
// come from one); empty when the scenario cannot be expressed on Libreswan.
std::vector<RenderedFile> ipsec_conf_rendering(const Scenario& s, std::size_t peer, const stack::RenderContext& c);

// The registry entry (drivers/targets): "libreswan", personality libreswan-4.10.
stack::StackKind stack_kind();

}  // namespace ikeconform::libreswan
