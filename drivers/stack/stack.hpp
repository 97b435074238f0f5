// One IKE daemon serving one scenario peer inside its network namespace, behind a small
// interface, so that a pair can be any two stacks (Libreswan + Libreswan, strongSwan +
// Libreswan, ...). A stack reads only its own logs and status; `combine()` turns the two sides'
// reports into the Observation, with one vocabulary for every pairing.
//
//   PeerStack   prepare (configuration + credentials for one scenario), initiate, progress
//               (cheap, from logs), report, teardown. Implemented in drivers/libreswan
//               (pluto + whack) and drivers/mixed (charon + VICI).
//   SideReport  what one side's logs say, already in scenario indices.
//   combine()   both reports -> Observation (same semantics as the strongSwan target).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/engine.hpp"  // Role
#include "model/observation.hpp"
#include "model/scenario.hpp"

namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::stack {

// This side's own statement about why the exchange did not complete, strongest first in
// combine(): the peer's proposal was refused, no profile matched the peer, this side refused
// the peer's authentication, the peer said AUTHENTICATION_FAILED, this side had no key to sign.
enum class Verdict : std::uint8_t {
  None,
  NoProposal,
  NoProfile,
  RejectedPeer,
  GotAuthFailed,
  NoPrivateKey,
  GaveUp,  // retransmissions exhausted
};
std::string_view verdict_name(Verdict v);

struct SideReport {
  bool alive = true;              // the daemon still runs
  bool ike_established = false;   // this side's status or log says the IKE SA is up
  bool child_observable = true;   // false: this stack cannot install a CHILD SA here (Libreswan)
  bool child_installed = false;
  bool child_ts_unacceptable = false;
  bool heard_peer = false;        // at least one message from the peer arrived
  Verdict verdict = Verdict::None;
  CertReqList certreqs_sent;      // in order, as this side sent them
  Message certreq_message = Message::None;  // the message that carried them (MM3, MM4, MM5, IKE_SA_INIT, IKE_AUTH)
  TpIndex cert_sent = kNone;      // trustpoint of the certificate this side sent
  std::int16_t bound_profile = kNone;  // responder: the profile it settled on
  std::vector<std::string> trace;      // this side's log lines, "R1: ..."
};

enum class Progress : std::uint8_t { Pending, Up, Failed };

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
  virtual Progress progress(Role role) = 0;
  virtual SideReport report(Role role) = 0;
  // Ends the scenario: nothing it loaded or negotiated may influence the next prepare() +
  // initiate(). A stack may defer the actual removal into its next prepare() (one control call
  // instead of two); the SAs, connections and credentials must then go before it loads anything.
  virtual void teardown() = 0;
  virtual bool healthy() = 0;
  virtual std::string describe() = 0;  // daemon status and log tail, for INTERNAL_ERROR traces
};

// The Observation from both sides' reports. `harness_error` non-empty: INTERNAL_ERROR.
// Failure reasons, first match wins: NO_PROPOSAL_CHOSEN (either side; MM2 / IKE_SA_INIT) >
// NO_MATCHING_PROFILE (responder; MM5 / IKE_AUTH) > CERT_VALIDATION_FAILED where the responder
// refused the initiator (MM5 / IKE_AUTH) > where the initiator refused the responder (MM6 /
// IKE_AUTH) > NO_CERTIFICATE_PAYLOAD > PEER_UNREACHABLE (the initiator never heard the peer;
// MM1 / IKE_SA_INIT) > INTERNAL_ERROR. CHILD SA: not attempted when either side cannot observe it.
Observation combine(const Scenario& s, std::uint8_t initiator, const SideReport& ini, const SideReport& res,
                    const std::string& harness_error);

}  // namespace ikeconform::stack
