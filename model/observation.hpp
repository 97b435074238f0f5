// What one direction of a tunnel did: the same record from the model, a real stack or an
// external adapter, so that differential oracles are a field-by-field comparison.
// Indices rather than strings keep the model allocation-free (see bench/); names come back
// through the scenario (observation_json.hpp).
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/scenario.hpp"

namespace ikeconform {

enum class SaResult : std::uint8_t { Established, Failed, NotAttempted };

// Stable reason codes (docs/check-json.md). Order is part of the format: append only.
enum class Reason : std::uint8_t {
  None,
  CertValidationFailed,  // V1-10, V2-8
  NoCertificatePayload,  // V2-4
  TsUnacceptable,        // V2-10
  NoMatchingProfile,     // V1-8 / V2-9 found nothing
  NoProposalChosen,      // V1-1 / IKE_SA_INIT
  Unsupported,           // section 7: aggressive mode
  AuthMethodMismatch,    // one side signs, the other expects a pre-shared key (or the reverse)
  PeerUnreachable,       // real stacks: no answer at all
  InternalError,         // real stacks: daemon crashed, timeout
  InvalidIdInformation,  // IKEv1 quick mode: no IPsec policy for the proxy identities (RFC 2408 §3.14.1, 18)
  InvalidSyntax,         // the responder refused a message as malformed (RFC 7296 §3.10.1, INVALID_SYNTAX, 7)
};
std::string_view reason_code(Reason r);  // "CERT_VALIDATION_FAILED", ... ; None -> ""
bool parse_reason_code(std::string_view s, Reason& out);

// Messages of the ladder. IKEv1 main mode MM1..MM6, then quick mode; IKEv2 exchanges.
enum class Message : std::uint8_t { None, MM1, MM2, MM3, MM4, MM5, MM6, QM1, IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA };
std::string_view message_name(Message m);  // "MM5", "IKE_AUTH"; None -> ""
bool parse_message_name(std::string_view s, Message& out);

// A CA index into the scenario's CA table: 0..cas.size()-1 are scenario CAs, then the
// predefined trustpoints of spec section 1 (see predefined.hpp).
using CaIndex = std::int16_t;
// A trustpoint index into the sending peer's table: 0..trustpoints.size()-1, then predefined.
using TpIndex = std::int16_t;
inline constexpr std::int16_t kNone = -1;

// One CERT_REQ / CERTREQ entry as sent, in order: the issuer it names and the sender's
// trustpoint that made it.
struct CertReq {
  CaIndex ca = kNone;
  TpIndex trustpoint = kNone;
  friend bool operator==(const CertReq&, const CertReq&) = default;
};
using CertReqList = boost::container::small_vector<CertReq, 12>;

struct Observation {
  std::uint8_t initiator = 0;  // peer index in the scenario; responder is 1 - initiator
  IkeVersion ike_version = IkeVersion::V1;
  SaResult ike_sa = SaResult::NotAttempted;
  SaResult child_sa = SaResult::NotAttempted;
  Message failed_at = Message::None;
  Reason reason = Reason::None;
  TpIndex initiator_trustpoint = kNone;  // the trustpoint whose certificate the initiator sent
  TpIndex responder_trustpoint = kNone;
  std::int16_t responder_profile = kNone;  // index into the responder's profiles
  CertReqList certreq_from_initiator;      // IKEv1 MM3 / IKEv2 IKE_AUTH request
  CertReqList certreq_from_responder;      // IKEv1 MM4 / IKEv2 IKE_SA_INIT response
  std::vector<std::string> trace;          // model: IOS debug vocabulary; real stack: log lines

  std::uint8_t responder() const { return static_cast<std::uint8_t>(1 - initiator); }
  bool up() const { return ike_sa == SaResult::Established && child_sa == SaResult::Established; }
};

// Names behind the indices ("" for kNone).
std::string ca_dn(const Scenario& s, CaIndex ca);
std::string trustpoint_name(const Scenario& s, std::size_t peer, TpIndex tp);
std::string profile_name(const Scenario& s, std::size_t peer, std::int16_t profile);
std::string sa_result_text(SaResult r);  // "established" | "failed" | "not_attempted"

// Field-by-field comparison without the trace: what differential oracles compare.
struct ObservationDiff {
  std::string field;
  std::string expected;
  std::string actual;
};
std::vector<ObservationDiff> diff(const Scenario& s, const Observation& expected, const Observation& actual);

// What a target that cannot observe the CHILD SA (a pair with Libreswan here: no ESP in the
// kernel) can be compared on: an observation with an established IKE SA loses its CHILD SA
// verdict (child_sa not_attempted, no failed_at / reason).
Observation without_child_sa(Observation o);

// A real target's run that produced no exchange to observe, the one shape every target uses:
// UNSUPPORTED (the target cannot express the scenario; nothing ran): ike_sa and child_sa
// not_attempted; INTERNAL_ERROR (the harness failed: no PKI, a daemon or an adapter gone, the
// state of the exchange unknown): ike_sa failed -- a run was due and gave no IKE SA, as
// combine() says for a harness error -- child_sa not_attempted. Never a failed_at; the trace
// is the one line `what`, which names who says so ("strongSwan: ...", "adapter: ...").
Observation not_attempted(const Scenario& s, std::uint8_t initiator, Reason why, std::string what);

}  // namespace ikeconform
