// One IKE daemon serving one scenario peer inside its network namespace, behind a small
// interface, so that a pair can be any two stacks (strongSwan + strongSwan, Libreswan +
// Libreswan, strongSwan + Libreswan, ...). A stack reads only its own logs and status;
// `combine()` turns the two sides' reports into the Observation, with one vocabulary for every
// pairing. Every real implementation is one PeerStack; the pair runner (pair.hpp) and the one
// generic Target over it (pair_target.hpp) do the rest.
//
//   PeerStack   prepare (configuration + credentials for one scenario), initiate, progress
//               (cheap, from logs), report, teardown. Implemented in drivers/strongswan
//               (charon + VICI) and drivers/libreswan (pluto + whack).
//   SideReport  what one side's logs say, already in scenario indices.
//   combine()   both reports -> Observation.
//   StackKind   everything the harness knows about one implementation: its names, its
//               personality, how to make its PeerStack, its version and its renderings.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/engine.hpp"  // Role
#include "model/expressible.hpp"
#include "model/observation.hpp"
#include "model/scenario.hpp"
#include "target/target.hpp"  // RenderedFile

namespace ikeconform::netns {
class NetnsPair;
}
namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::stack {

// This side's own statement about why the exchange did not complete, strongest first in
// combine(): the peer's proposal was refused, this side has no pre-shared key for the peer (it
// authenticates another way), this side refused the identity the peer presented, no profile
// matched the peer, this side refused the peer's authentication, the peer said
// AUTHENTICATION_FAILED, this side had no key to sign.
enum class Verdict : std::uint8_t {
  None,
  NoProposal,
  NoSharedKey,
  IdentityRejected,
  NoProfile,
  RejectedPeer,
  GotAuthFailed,
  NoPrivateKey,
  GaveUp,         // retransmissions exhausted
  InvalidSyntax,  // a message was refused as malformed: INVALID_SYNTAX sent (responder) or received (initiator)
};
std::string_view verdict_name(Verdict v);

struct SideReport {
  bool alive = true;             // the daemon still runs
  bool ike_established = false;  // this side's status or log says the IKE SA is up
  bool child_observable = true;  // false: this stack cannot install a CHILD SA here (Libreswan)
  bool child_installed = false;
  bool child_ts_unacceptable = false;
  bool heard_peer = false;         // at least one message from the peer arrived
  bool child_no_proposal = false;  // the CHILD SA's proposal was refused
  Verdict verdict = Verdict::None;
  // The message the verdict concerns when this stack's observer says so (strongSwan places an
  // IKEv1 proposal refusal at MM1, where its responder drops it); None: combine()'s default.
  Message verdict_at = Message::None;
  CertReqList certreqs_sent;                // in order, as this side sent them
  Message certreq_message = Message::None;  // the message that carried them (MM3, MM4, MM5, IKE_SA_INIT, IKE_AUTH)
  TpIndex cert_sent = kNone;                // trustpoint of the certificate this side sent
  std::int16_t bound_profile = kNone;       // responder: the profile it settled on
  // This side refused to load or initiate the configuration we rendered (its own words: charon's
  // "configuration uses unsupported authentication", whack's "cannot initiate"): a rendering
  // error of ours, never a verdict on the implementation (an infrastructure error, pair.hpp).
  std::string refused;
  std::vector<std::string> trace;  // this side's log lines, "R1: ..."
};

enum class Progress : std::uint8_t { Pending, Up, Failed };

// Timeouts every daemon-backed stack needs; one struct for all of them.
struct StackOptions {
  using Millis = std::chrono::milliseconds;
  Millis start_timeout{5000};      // daemon start until its control interface answers
  Millis control_timeout{3000};    // one control call (VICI command, whack, addconn)
  Millis initiate_timeout{4000};   // the stack's own limit on one exchange (inside the pair's)
  Millis terminate_timeout{1000};  // tearing down the SAs of a run
  Millis stop_grace{1000};         // SIGTERM, then SIGKILL after this
  // The daemon is fuzzed (`ikeconform fuzz-peer`): no denial-of-service defence that would
  // answer the fuzzer's many half-open SAs with cookies or a block instead of parsing its messages.
  bool fuzzed = false;
};

class PeerStack {
 public:
  virtual ~PeerStack() = default;
  virtual std::string_view personality() const = 0;  // "libreswan-4.10", "strongswan-5.9"
  // Configuration and credentials for `s`'s peer `peer`, connection names prefixed `prefix`
  // (fresh per run). May restart the daemon (e.g. when its trust anchors change). Throws on a
  // harness failure; InputError when the scenario cannot be expressed for this stack.
  virtual void prepare(const Scenario& s, std::size_t peer, const pki::Pki& pki, const std::string& prefix) = 0;
  // Starts the tunnel profile's connection. A stack whose control interface blocks may run the
  // whole exchange here, within its own timeout.
  virtual void initiate() = 0;
  // Where the exchange stands for this side, from what it logged so far. Cheap: polled.
  // `child`: the pair observes the CHILD SA, so the initiator is Up only once the CHILD SA's
  // outcome is known too (false: the IKE SA is enough).
  virtual Progress progress(Role role, bool child) = 0;
  // Lets up to `d` pass while the exchange runs (the runner's poll pause); a stack that waits on
  // a control call of its own returns as soon as it completes.
  virtual void wait(std::chrono::microseconds d);
  virtual SideReport report(Role role) = 0;
  // Ends the scenario: nothing it loaded or negotiated may influence the next prepare() +
  // initiate(). A stack may defer the actual removal into its next prepare() (one control call
  // instead of two); the SAs, connections and credentials must then go before it loads anything.
  virtual void teardown() = 0;
  virtual bool healthy() = 0;
  virtual std::string describe() = 0;  // daemon status and log tail, for INTERNAL_ERROR traces
  // The daemon's process id (its memory is watched while it is fuzzed); nullopt: no process.
  virtual std::optional<int> daemon_pid() { return std::nullopt; }
  // IKE SAs the daemon holds half-open (IKE_SA_INIT / Main Mode answered, not authenticated),
  // from its control interface; nullopt: it does not say.
  virtual std::optional<std::size_t> half_open_sas() { return std::nullopt; }
  // True when this side's Failed progress as a responder ends its part for good: nothing it
  // logs later can turn the exchange around (charon can: "constraint check failed", then
  // "switching to peer config"). The pair then stops waiting for the initiator's CHILD SA too,
  // instead of sitting through the initiator's retransmissions to a responder that stays silent.
  virtual bool refusal_is_final() const { return false; }
  // True when this side, as a responder, refused without answering the request it refused (IOS's
  // "Failed to build certificate payload"): nothing more will reach the initiator but its own
  // retransmissions, so the pair waits for the initiator's log only as long as log_lag().
  virtual bool refused_silently() { return false; }
  // True when this side, as a responder, refused the exchange's first message without a word
  // (pluto: no connection takes the proposed method): the initiator has sent nothing but that
  // message, so its log holds nothing the observation needs, and the pair does not wait for it.
  virtual bool refused_first_message() { return false; }
  // How long this side's log may lag a message it has already sent: pluto logs "sent IKE_AUTH
  // request" after sending it. Zero for a stack that logs before it sends (charon with
  // flush_line) or whose report() waits for its own side to end (the emulated router).
  virtual std::chrono::milliseconds log_lag() const { return std::chrono::milliseconds(300); }
  // True when this side, as the initiator, could not read the answer to its request: an IKEv1
  // INFORMATIONAL sent before Main Mode ended, whose IV the two stacks derive differently (charon
  // "ignore malformed INFORMATIONAL request", pluto "malformed payload in packet"). After the
  // responder's refusal it has said all it will say: it only retransmits, seconds later.
  virtual bool unreadable_answer() { return false; }
};

// The Observation from both sides' reports. `harness_error` non-empty or a side that `refused`
// our configuration: INTERNAL_ERROR (the pair runner's infrastructure error).
// Failure reasons, first match wins: NO_PROPOSAL_CHOSEN (either side; MM2 / IKE_SA_INIT) >
// AUTH_METHOD_MISMATCH (a side without a pre-shared key for the peer; the responder's first;
// MM3 / MM4 / IKE_AUTH) > NO_MATCHING_PROFILE where the responder refused the initiator's
// identity (MM5 / IKE_AUTH) > where the initiator refused the responder's (MM6 / IKE_AUTH) >
// where no profile of the responder matched (MM5 / IKE_AUTH) > CERT_VALIDATION_FAILED where the
// responder refused the initiator (MM5 / IKE_AUTH) > where the initiator refused the responder
// (MM6 / IKE_AUTH) > NO_CERTIFICATE_PAYLOAD > PEER_UNREACHABLE (the initiator never heard the
// peer; MM1 / IKE_SA_INIT) > INTERNAL_ERROR. A side's `verdict_at` overrides the message.
// CHILD SA: not attempted when either side cannot observe it; else established when the
// initiator installed it, else failed with TS_UNACCEPTABLE (IKEv1: INVALID_ID_INFORMATION) >
// NO_PROPOSAL_CHOSEN > INTERNAL_ERROR.
Observation combine(const Scenario& s, std::uint8_t initiator, const SideReport& ini, const SideReport& res,
                    const std::string& harness_error);

// ---------------------------------------------------------------------------------------------
// One implementation, as the harness knows it. drivers/targets registers a Target for every
// StackKind and for every ordered pair of two different ones.

// Where renderings that need a scratch PKI (Libreswan's CKAIDs) make it.
struct RenderContext {
  std::filesystem::path key_cache;  // empty: pki::KeyCache::default_dir()
  std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
};

// StackKind::make for a PeerStack constructed as Stack(net, side, dir, options).
template <class Stack>
std::unique_ptr<PeerStack> make_stack(const netns::NetnsPair& net, std::size_t side, const std::filesystem::path& dir,
                                      const StackOptions& o) {
  return std::make_unique<Stack>(net, side, dir, o);
}

// "R1.swanctl.conf": peer `peer`'s name made safe for a file name, then `suffix`.
std::string rendering_name(const Scenario& s, std::size_t peer, std::string_view suffix);

struct StackKind {
  std::string name;               // the target name alone and in pairs: "strongswan"
  std::string title;              // in messages: "strongSwan" ("strongSwan target: aggressive mode ...")
  std::string personality;        // the model personality its peers follow: "strongswan-5.9"
  bool observes_child_sa = true;  // false: it cannot install a CHILD SA here (no ESP: Libreswan)
  bool needs_p12 = false;         // its credentials are read from PKCS#12 files (NSS)
  bool protocol_bugs = false;     // it carries out a peer's "bugs" (our own engine); others refuse them
  Expressible expressible;        // what it can run; the generators build only that
  // Makes the stack of one side: (namespace pair, side, folder of its own, timeouts).
  std::function<std::unique_ptr<PeerStack>(const netns::NetnsPair&, std::size_t, const std::filesystem::path&,
                                           const StackOptions&)>
      make;
  // "strongSwan 5.9.8" (without starting a daemon); nullopt when unknown.
  std::function<std::optional<std::string>()> version;
  // Why peer `peer` of `s` cannot run on this stack, known before any PKI is made; nullopt: it
  // may (prepare() can still throw InputError). May be empty.
  std::function<std::optional<std::string>(const Scenario&, std::size_t peer)> inexpressible;
  // Peer `peer`'s configuration in the stack's own language, shown beside a counterexample
  // ("R1.swanctl.conf"); empty when it cannot be expressed.
  std::function<std::vector<RenderedFile>(const Scenario&, std::size_t peer, const RenderContext&)> render;
};

}  // namespace ikeconform::stack
