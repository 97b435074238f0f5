// Model -> packets: the exchange an Observation predicts, as IKE messages between the two
// peers' addresses, ready for write_pcap() and Wireshark.
//
// IKEv1 main mode MM1..MM6 (RFC 2409 §5.1, signatures): MM1/MM2 SA; MM3/MM4 KE NONCE and one
// CERT_REQ per CA in the observation's order (DER DN, RFC 2408 §3.10); MM5/MM6 ID CERT SIG.
// IKEv2 (RFC 7296 §1.2): IKE_SA_INIT request / response (response with one CERTREQ of
// concatenated SHA-1 SPKI hashes, §3.7) and IKE_AUTH request / response.
// Messages that are encrypted in reality (MM5, MM6, IKE_AUTH, later informationals) are
// rendered in clear, E flag clear, and carry a Vendor ID payload whose data is kClearNote so
// that nobody mistakes them for a capture. Key exchange data, nonces, signatures and AUTH
// data are deterministic filler; certificates are deterministic placeholders (Ed25519, right
// subject and issuer, not verifiable) unless LadderOptions::certificate provides real ones.
//
// Failures (Observation::failed_at + reason) stop the ladder there:
//   NO_PROPOSAL_CHOSEN    v1: Informational N(NO_PROPOSAL_CHOSEN) instead of MM2;
//                         v2: IKE_SA_INIT response with only N(NO_PROPOSAL_CHOSEN).
//   CERT_VALIDATION_FAILED / NO_MATCHING_PROFILE
//                         v1: MM5 (or MM6) is sent, its receiver answers with an Informational
//                         N(INVALID_CERTIFICATE) / N(INVALID_ID_INFORMATION).
//                         v2: when the responder chose no certificate (responder_trustpoint
//                         kNone) it rejected the request: IKE_AUTH response N(AUTHENTICATION_FAILED);
//                         otherwise the initiator rejected the response: full IKE_AUTH response,
//                         then INFORMATIONAL N(AUTHENTICATION_FAILED) (RFC 7296 §2.21.2).
//   TS_UNACCEPTABLE       v2: IKE_AUTH response IDr CERT AUTH N(TS_UNACCEPTABLE), no SA/TS.
//   NO_CERTIFICATE_PAYLOAD v2 (V2-4): nothing is sent after IKE_SA_INIT.
//   anything else         the messages before failed_at, then stop.
// IKEv1 quick mode is not rendered (a QM1 failure shows MM1..MM6 only). CERT_REQ entries
// whose CA is kNone or outside the scenario + predefined table are left out.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>
#include <vector>

#include "model/observation.hpp"
#include "model/scenario.hpp"
#include "wire/ike.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::wire {

inline constexpr std::string_view kClearNote = "ikeconform: encrypted in reality, shown in clear";

struct LadderOptions {
  // Per CaIndex (as CaTables::spki_sha1). Missing entries use placeholder_spki_sha1(DER DN),
  // the same placeholder ca_tables() puts in its table, so wire -> model mapping still works.
  std::vector<Bytes> ca_spki_sha1;
  // DER certificate of (peer index, trustpoint index); unset or empty result: a placeholder.
  std::function<Bytes(std::uint8_t peer, TpIndex trustpoint)> certificate;
  std::chrono::nanoseconds start = std::chrono::seconds(1398211200);  // 2014-04-23, the Cisco note's date
  std::chrono::nanoseconds step = std::chrono::milliseconds(10);
};

// Throws InputError when the scenario does not have two peers with IPv4 addresses or the
// observation names a peer that does not exist.
std::vector<IkePacket> model_ladder(const Scenario& s, const Observation& o, const LadderOptions& opt = {});

}  // namespace ikeconform::wire
