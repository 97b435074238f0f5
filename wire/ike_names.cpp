// Names from the RFCs for payloads, exchanges and notify types, and a one-line summary of a
// message in the notation the spec quotes from IOS debugs ("SA KE N VID NOTIFY(...)").
#include <fmt/format.h>

#include <ostream>

#include "wire/ike.hpp"

namespace ikeconform::wire {

std::string_view payload_name(IkeVersion v, std::uint8_t type) {
  if (v == IkeVersion::V1) {
    switch (type) {  // RFC 2408 §3.1; IOS debugs say CERT_REQ for CR
      case ikev1::kSA: return "SA";
      case ikev1::kProposal: return "P";
      case ikev1::kTransform: return "T";
      case ikev1::kKE: return "KE";
      case ikev1::kID: return "ID";
      case ikev1::kCERT: return "CERT";
      case ikev1::kCR: return "CERT_REQ";
      case ikev1::kHASH: return "HASH";
      case ikev1::kSIG: return "SIG";
      case ikev1::kNONCE: return "NONCE";
      case ikev1::kN: return "N";
      case ikev1::kD: return "D";
      case ikev1::kVID: return "VID";
      case 20: return "NAT-D";   // RFC 3947
      case 21: return "NAT-OA";  // RFC 3947
      default: return "";
    }
  }
  switch (type) {  // RFC 7296 §3.2
    case ikev2::kSA: return "SA";
    case ikev2::kKE: return "KE";
    case ikev2::kIDi: return "IDi";
    case ikev2::kIDr: return "IDr";
    case ikev2::kCERT: return "CERT";
    case ikev2::kCERTREQ: return "CERTREQ";
    case ikev2::kAUTH: return "AUTH";
    case ikev2::kNonce: return "Ni, Nr";
    case ikev2::kN: return "N";
    case ikev2::kD: return "D";
    case ikev2::kV: return "V";
    case ikev2::kTSi: return "TSi";
    case ikev2::kTSr: return "TSr";
    case ikev2::kSK: return "SK";
    case ikev2::kCP: return "CP";
    case ikev2::kEAP: return "EAP";
    case ikev2::kSKF: return "SKF";
    default: return "";
  }
}

std::string_view exchange_name(IkeVersion v, std::uint8_t exchange) {
  if (v == IkeVersion::V1) {
    switch (exchange) {  // RFC 2408 §3.1, RFC 2409 §5.5
      case 1: return "BASE";
      case ikev1::kIdentityProtection: return "IDENTITY_PROTECTION";
      case 3: return "AUTHENTICATION_ONLY";
      case ikev1::kAggressive: return "AGGRESSIVE";
      case ikev1::kInformational: return "INFORMATIONAL";
      case ikev1::kQuickMode: return "QUICK_MODE";
      default: return "";
    }
  }
  switch (exchange) {  // RFC 7296 §3.1
    case ikev2::kIkeSaInit: return "IKE_SA_INIT";
    case ikev2::kIkeAuth: return "IKE_AUTH";
    case ikev2::kCreateChildSa: return "CREATE_CHILD_SA";
    case ikev2::kInformational: return "INFORMATIONAL";
    default: return "";
  }
}

std::string_view notify_name(IkeVersion v, std::uint16_t type) {
  if (v == IkeVersion::V1) {
    switch (type) {  // RFC 2408 §3.14.1
      case ikev1::kNoProposalChosen: return "NO_PROPOSAL_CHOSEN";
      case 16: return "PAYLOAD_MALFORMED";
      case ikev1::kInvalidIdInformation: return "INVALID_ID_INFORMATION";
      case ikev1::kInvalidCertificate: return "INVALID_CERTIFICATE";
      case 21: return "CERT_TYPE_UNSUPPORTED";
      case 22: return "INVALID_CERT_AUTHORITY";
      case ikev1::kAuthenticationFailed: return "AUTHENTICATION_FAILED";
      case 25: return "INVALID_SIGNATURE";
      case 24576: return "RESPONDER_LIFETIME";  // RFC 2407 §4.6.3
      case 24578: return "INITIAL_CONTACT";
      default: return "";
    }
  }
  switch (type) {  // RFC 7296 §3.10.1
    case 1: return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case 4: return "INVALID_IKE_SPI";
    case 5: return "INVALID_MAJOR_VERSION";
    case 7: return "INVALID_SYNTAX";
    case 9: return "INVALID_MESSAGE_ID";
    case 11: return "INVALID_SPI";
    case ikev2::kNoProposalChosen: return "NO_PROPOSAL_CHOSEN";
    case 17: return "INVALID_KE_PAYLOAD";
    case ikev2::kAuthenticationFailed: return "AUTHENTICATION_FAILED";
    case 34: return "SINGLE_PAIR_REQUIRED";
    case 35: return "NO_ADDITIONAL_SAS";
    case 36: return "INTERNAL_ADDRESS_FAILURE";
    case 37: return "FAILED_CP_REQUIRED";
    case ikev2::kTsUnacceptable: return "TS_UNACCEPTABLE";
    case 39: return "INVALID_SELECTORS";
    case 43: return "TEMPORARY_FAILURE";
    case 44: return "CHILD_SA_NOT_FOUND";
    case ikev2::kInitialContact: return "INITIAL_CONTACT";
    case ikev2::kSetWindowSize: return "SET_WINDOW_SIZE";
    case 16386: return "ADDITIONAL_TS_POSSIBLE";
    case 16387: return "IPCOMP_SUPPORTED";
    case ikev2::kNatDetectionSourceIp: return "NAT_DETECTION_SOURCE_IP";
    case ikev2::kNatDetectionDestinationIp: return "NAT_DETECTION_DESTINATION_IP";
    case 16390: return "COOKIE";
    case 16391: return "USE_TRANSPORT_MODE";
    case ikev2::kHttpCertLookupSupported: return "HTTP_CERT_LOOKUP_SUPPORTED";
    case 16393: return "REKEY_SA";
    case ikev2::kEspTfcPaddingNotSupported: return "ESP_TFC_PADDING_NOT_SUPPORTED";
    case ikev2::kNonFirstFragmentsAlso: return "NON_FIRST_FRAGMENTS_ALSO";
    case 16430: return "IKEV2_FRAGMENTATION_SUPPORTED";  // RFC 7383
    case 16431: return "SIGNATURE_HASH_ALGORITHMS";      // RFC 7427
    default: return "";
  }
}

namespace {

std::string label(std::string_view name, unsigned number) {
  return name.empty() ? fmt::format("#{}", number) : std::string(name);
}

std::string describe_payload(const IkeMessage& m, const Payload& p) {
  const IkeVersion v = m.version();
  if (v == IkeVersion::V2 && p.type == ikev2::kNonce) return (m.header.flags & ikev2::kFlagInitiator) ? "Ni" : "Nr";
  std::string out = label(payload_name(v, p.type), p.type);
  if (const auto* n = std::get_if<NotifyV1>(&p.body))
    return fmt::format("N({})", label(notify_name(v, n->type), n->type));
  if (const auto* n = std::get_if<NotifyV2>(&p.body))
    return fmt::format("N({})", label(notify_name(v, n->type), n->type));
  if (const auto* c = std::get_if<CertRequest>(&p.body)) {
    if (c->encoding != kCertX509Signature) return fmt::format("{}(encoding {})", out, c->encoding);
    if (v == IkeVersion::V1) return fmt::format("{}({})", out, ios_dn_from_der(c->authority));
    return fmt::format("{}({} hashes)", out, c->authority.size() / kSha1Size);
  }
  if (const auto* id = std::get_if<IdV1>(&p.body); id && id->type == ikev1::kIdFqdn)
    return fmt::format("{}({})", out, std::string(id->data.begin(), id->data.end()));
  if (const auto* id = std::get_if<IdV2>(&p.body); id && id->type == ikev2::kIdFqdn)
    return fmt::format("{}({})", out, std::string(id->data.begin(), id->data.end()));
  if (const auto* e = std::get_if<Encrypted>(&p.body))
    return fmt::format("{}{{{} bytes, first {}}}", out, e->data.size(),
                       label(payload_name(v, e->inner_next), e->inner_next));
  if (p.critical) out += "!";
  return out;
}

}  // namespace

std::string describe(const IkeMessage& m) {
  const IkeVersion v = m.version();
  std::string out = fmt::format("IKEv{} {}", v == IkeVersion::V1 ? 1 : 2,
                                label(exchange_name(v, m.header.exchange), m.header.exchange));
  if (v == IkeVersion::V2) out += m.is_response() ? " response" : " request";
  out += fmt::format(" #{}:", m.header.message_id);
  if (m.v1_encrypted) return out + fmt::format(" <encrypted, {} bytes>", m.v1_encrypted->data.size());
  for (const Payload& p : m.payloads) out += " " + describe_payload(m, p);
  return out;
}

std::ostream& operator<<(std::ostream& os, const IkeMessage& m) { return os << describe(m); }

}  // namespace ikeconform::wire
