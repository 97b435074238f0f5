// One mutated exchange against the daemon: our engine (peer/) as the initiator drives it through
// valid messages to the chosen point, sends that message with a recipe applied before
// encryption, and classifies the answer. The steps are the engine's own (peer/ikev2/*.cpp,
// peer/ikev1/*.cpp); only the chosen message goes through the recipe.
//
//   ikev2:IKE_SA_INIT       the first message itself (clear)
//   ikev2:IKE_AUTH          after IKE_SA_INIT: IDi, CERT, CERTREQ, AUTH, SA, TSi, TSr (SK)
//   ikev2:INFORMATIONAL     after IKE_AUTH: the Delete of the IKE SA (SK)
//   ikev1:MM1 / MM3         Main Mode's SA offer / KE, nonce, CERT_REQ, NAT-D (clear)
//   ikev1:MM5               after MM4, before MM6: IDii, CERT, CERT_REQ, SIG (encrypted)
//   ikev1:QM1               after MM6: HASH(1), SA, Ni, IDci, IDcr (encrypted)
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/cisco_ios/peer.hpp"  // EngineConfig
#include "fuzzpeer/recipe.hpp"
#include "peer/credentials.hpp"
#include "peer/transport.hpp"

namespace ikeconform::fuzzpeer {

enum class Point : std::uint8_t { V2IkeSaInit, V2IkeAuth, V2Informational, V1Mm1, V1Mm3, V1Mm5, V1Qm1 };
std::string point_name(Point p);  // "ikev2:IKE_AUTH"
std::optional<Point> point_named(std::string_view name);
IkeVersion point_version(Point p);
std::vector<Point> points(IkeVersion v);

// Our side of the exchange, shared read-only by every job.
struct OurSide {
  Scenario scenario;     // peer 0 is ours, peer 1 the daemon's
  std::size_t peer = 0;  // ours
  std::shared_ptr<const peer::Credentials> creds;
  cisco_ios::EngineConfig config;
  std::string netns, local_address, remote_address;
  Material material;
};

struct Result {
  bool reached = false;   // the valid messages before the point went through
  std::string unreached;  // why not (the liveness probe decides whether that is a finding)
  bool answered = false;
  std::string response;                  // the answer's shape: "IKE_AUTH [IDr CERT AUTH SA TSi TSr]", "none"
  std::string state;                     // what the daemon did: "established", "error:AUTHENTICATION_FAILED", ...
  bool established = false;              // the daemon authenticated us (its AUTH in IKE_AUTH, its SIG in MM6)
  bool auth_broken = false;              // the mutation removed or altered what authenticates us
  std::chrono::microseconds latency{0};  // from sending the mutated message to its answer
};

// One job's sockets (in our namespace, ports `port` and `port` + 1 for NAT-T) and exchanges.
class Exchanger {
 public:
  Exchanger(const OurSide& side, std::uint16_t port, std::uint16_t port_nat_t);
  // The valid exchanges up to `p` (each answer awaited up to `answer`), then the mutated message
  // (its answer awaited up to `mutated`; zero: `answer`).
  Result run(Point p, const Recipe& r, std::chrono::milliseconds answer,
             std::chrono::milliseconds mutated = std::chrono::milliseconds(0));
  void set_tap(peer::UdpTransport::Tap tap) { transport_.set_tap(std::move(tap)); }

 private:
  Result run_v2(Point p, const Recipe& r, std::chrono::milliseconds answer, std::chrono::milliseconds mutated);
  Result run_v1(Point p, const Recipe& r, std::chrono::milliseconds answer, std::chrono::milliseconds mutated);
  const OurSide& side_;
  peer::UdpTransport transport_;
  std::uint16_t port_, port_nat_t_;
};

}  // namespace ikeconform::fuzzpeer
