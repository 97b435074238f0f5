// The emulated Cisco IOS router as a stack::PeerStack: our own IKE engine (peer/) serving one
// scenario peer inside its network namespace, with no daemon and no process of its own. Its
// UDP sockets are opened inside the namespace by the constructing thread (peer/transport.hpp);
// one worker thread per side runs the engine: it answers requests as the responder from
// prepare() on, and runs the initiator's exchange once initiate() asks. Every certificate
// decision is the peer's model personality's (peer/personality_policy.hpp), so a `cisco-ios`
// side does on the wire what `check` predicts, in the note's log vocabulary; the side report
// is read from the policy's record and the engine's outcome, never from log text.
//
//   stack_kind()   the registry entry: "cisco-ios", personality cisco-ios; `cisco-ios,strongswan`,
//                  `strongswan,cisco-ios`, ... are PairTargets over it (drivers/targets).
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/stack/stack.hpp"
#include "peer/credentials.hpp"
#include "peer/ikev1/isakmp_sa.hpp"
#include "peer/ikev2/session.hpp"
#include "peer/personality_policy.hpp"

namespace ikeconform::pki {
struct Pki;
}
namespace ikeconform::peer {
class UdpTransport;
}  // namespace ikeconform::peer

namespace ikeconform::cisco_ios {

inline constexpr const char* kName = "cisco-ios";
inline constexpr std::string_view kPersonality = kCiscoIos;

// Peer `peer`'s credentials as PersonalityPolicy wants them: the scenario's CAs in order, one
// own certificate per enrolled trustpoint, named after it.
peer::Credentials credentials(const Scenario& s, std::size_t peer, const pki::Pki& pki);

// Why peer `peer` of `s` cannot run on the emulated router (what peer/ does not implement);
// nullopt: it can.
std::optional<std::string> inexpressible(const Scenario& s, std::size_t peer);

// The engine's configuration for peer `peer` of `s` (its proposals, its tunnel profile's
// identity, the tunnel's networks 10.<peer+1>.0.0/24, retransmissions after `rto` doubled
// `tries` times). inexpressible(s, peer) must be nullopt. Shared with `ikeconform emulate`.
struct EngineConfig {
  peer::ikev1::Config v1;
  peer::ikev2::Config v2;
};
EngineConfig engine_config(const Scenario& s, std::size_t peer, std::chrono::milliseconds rto, int tries);

// Where one side's engine ended and its side report, from the engine's outcome and the policy's
// record (never from log text).
struct EngineOutcome {
  bool ike = false, child = false, heard = false, finished = false;
  std::string failed_at;
  std::optional<std::uint16_t> error;  // the notify that ended it (received or sent)
  std::vector<std::string> trace;
};
// An engine SA's (ikev1::IsakmpSa, ikev2::IkeSa) outcome and trace.
template <class Sa>
EngineOutcome engine_outcome(const Sa& sa, bool ike, bool child, bool heard, bool finished) {
  EngineOutcome e;
  e.ike = ike;
  e.child = child;
  e.heard = heard;
  e.finished = finished;
  e.failed_at = sa.outcome.failed_at;
  e.error = sa.outcome.error;
  e.trace = sa.trace;
  return e;
}
stack::SideReport side_report(const Scenario& s, std::size_t peer, Role role, const EngineOutcome& e,
                              const peer::PersonalityPolicy::Record& rec);

class CiscoIosPeer final : public stack::PeerStack {
 public:
  // Opens UDP 500 / 4500 on side `side`'s address inside its namespace; `dir` is unused (no
  // files: nothing is rendered). The personality is the scenario peer's (any model personality).
  CiscoIosPeer(const netns::NetnsPair& net, std::size_t side, std::filesystem::path dir, stack::StackOptions o = {});
  ~CiscoIosPeer() override;
  std::string_view personality() const override { return kPersonality; }
  void prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) override;
  void initiate() override;
  stack::Progress progress(Role role, bool child) override;
  void wait(std::chrono::microseconds d) override;  // returns as soon as the initiator is done
  stack::SideReport report(Role role) override;
  void teardown() override;
  bool healthy() override { return true; }
  bool refusal_is_final() const override { return true; }  // the engine's responder never recovers
  bool refused_silently() override;
  std::chrono::milliseconds log_lag() const override { return {}; }  // report() waits for the engine
  std::string describe() override;

 private:
  struct Run;  // one scenario: credentials, policy, engine state, the worker's results
  void work(Run& run);
  void stop_worker();
  std::size_t side_;
  std::string address_;
  stack::StackOptions o_;
  std::unique_ptr<peer::UdpTransport> transport_;
  std::unique_ptr<Run> run_;
  std::shared_ptr<const peer::Credentials> creds_;  // reused while creds_key_ (the PEMs) stays the same
  std::string creds_key_;
  std::thread worker_;
};

// The registry entry (drivers/targets): "cisco-ios", personality cisco-ios.
stack::StackKind stack_kind();

}  // namespace ikeconform::cisco_ios
