// IKE message codec shared by IKEv1 (RFC 2408 ISAKMP + RFC 2409 IKE + RFC 2407 IPsec DOI) and
// IKEv2 (RFC 7296), plus the helpers that turn CERT_REQ / CERTREQ payloads into the model's
// CA indices. The decoder is total: any byte string gives an IkeMessage or a WireError with the
// offset and the reason; it never crashes and every loop consumes input (it is fuzzed).
//
// What is structured: the ISAKMP header; SA (proposals, transforms, attributes) of both
// versions; ID, CERT, CERT_REQ/CERTREQ, Notify, IKEv2 KE / AUTH / TSi / TSr; SK kept as bytes.
// KE (v1), Nonce, HASH, SIG, Vendor ID, Delete, CP, EAP and unknown types are `Raw` bytes
// under their payload type, and round-trip. RESERVED fields are ignored on receipt and sent
// as zero (RFC 7296 §3.2 "MUST be sent as zero; MUST be ignored on receipt").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/observation.hpp"
#include "model/scenario.hpp"

namespace ikeconform::wire {

using Bytes = std::vector<std::uint8_t>;
using Spi = std::array<std::uint8_t, 8>;  // IKEv1 cookie / IKEv2 IKE SA SPI

// ---- Numbers from the RFCs ------------------------------------------------------------------

// RFC 2408 §3.1 (payload types), §3.1 (exchange types, flags), RFC 2407 §4.6 (IPsec DOI),
// RFC 2409 Appendix A (phase 1 attributes).
namespace ikev1 {
inline constexpr std::uint8_t kSA = 1, kProposal = 2, kTransform = 3, kKE = 4, kID = 5, kCERT = 6, kCR = 7, kHASH = 8,
                              kSIG = 9, kNONCE = 10, kN = 11, kD = 12, kVID = 13;
inline constexpr std::uint8_t kIdentityProtection = 2, kAggressive = 4, kInformational = 5, kQuickMode = 32;
inline constexpr std::uint8_t kFlagEncryption = 0x01, kFlagCommit = 0x02, kFlagAuthOnly = 0x04;
inline constexpr std::uint32_t kDoiIpsec = 1;
inline constexpr std::uint32_t kSitIdentityOnly = 1;  // RFC 2407 §4.2
inline constexpr std::uint8_t kProtoIsakmp = 1;       // RFC 2407 §4.4.1
inline constexpr std::uint8_t kKeyIke = 1;            // RFC 2407 §4.4.2 transform ID
// RFC 2409 Appendix A attribute classes and values.
inline constexpr std::uint16_t kAttrEncryption = 1, kAttrHash = 2, kAttrAuthMethod = 3, kAttrGroup = 4,
                               kAttrLifeType = 11, kAttrLifeDuration = 12, kAttrKeyLength = 14;
inline constexpr std::uint16_t kEncDes = 1, kEnc3Des = 5, kEncAes = 7;
inline constexpr std::uint16_t kHashMd5 = 1, kHashSha = 2, kHashSha256 = 4, kHashSha384 = 5, kHashSha512 = 6;
inline constexpr std::uint16_t kAuthPreShared = 1, kAuthRsaSig = 3;
inline constexpr std::uint16_t kLifeSeconds = 1;
// RFC 2407 §4.6.2.1 identification types.
inline constexpr std::uint8_t kIdIpv4Addr = 1, kIdFqdn = 2, kIdUserFqdn = 3, kIdDerAsn1Dn = 9;
// RFC 2408 §3.14.1 notify message types (errors).
inline constexpr std::uint16_t kNoProposalChosen = 14, kInvalidIdInformation = 18, kInvalidCertificate = 20,
                               kAuthenticationFailed = 24;
}  // namespace ikev1

// RFC 7296 §3.2 (payload types), §3.1 (exchange types, flags), §3.3.2 (transforms),
// §3.8 (auth methods), §3.10.1 (notify types), §3.13.1 (TS types).
namespace ikev2 {
inline constexpr std::uint8_t kSA = 33, kKE = 34, kIDi = 35, kIDr = 36, kCERT = 37, kCERTREQ = 38, kAUTH = 39,
                              kNonce = 40, kN = 41, kD = 42, kV = 43, kTSi = 44, kTSr = 45, kSK = 46, kCP = 47,
                              kEAP = 48, kSKF = 53;  // SKF: RFC 7383
inline constexpr std::uint8_t kIkeSaInit = 34, kIkeAuth = 35, kCreateChildSa = 36, kInformational = 37;
inline constexpr std::uint8_t kFlagInitiator = 0x08, kFlagVersion = 0x10, kFlagResponse = 0x20;
inline constexpr std::uint8_t kProtoIke = 1, kProtoAh = 2, kProtoEsp = 3;
inline constexpr std::uint8_t kTransEncr = 1, kTransPrf = 2, kTransInteg = 3, kTransDh = 4, kTransEsn = 5;
inline constexpr std::uint16_t kEncr3Des = 3, kEncrAesCbc = 12, kEncrAesGcm16 = 20;  // GCM: RFC 5282
inline constexpr std::uint16_t kEsnNo = 0, kEsnYes = 1;
inline constexpr std::uint16_t kPrfHmacMd5 = 1, kPrfHmacSha1 = 2, kPrfHmacSha256 = 5, kPrfHmacSha384 = 6,
                               kPrfHmacSha512 = 7;
inline constexpr std::uint16_t kAuthHmacMd5_96 = 1, kAuthHmacSha1_96 = 2, kAuthHmacSha256_128 = 12,
                               kAuthHmacSha384_192 = 13, kAuthHmacSha512_256 = 14;
inline constexpr std::uint16_t kAttrKeyLength = 14;                                                // §3.3.5
inline constexpr std::uint8_t kAuthRsaSig = 1, kAuthSharedKeyMic = 2, kAuthDigitalSignature = 14;  // 14: RFC 7427
inline constexpr std::uint8_t kIdIpv4Addr = 1, kIdFqdn = 2, kIdRfc822Addr = 3, kIdDerAsn1Dn = 9;
inline constexpr std::uint8_t kTsIpv4AddrRange = 7, kTsIpv6AddrRange = 8;
inline constexpr std::uint16_t kInvalidSyntax = 7, kNoProposalChosen = 14, kInvalidKePayload = 17,
                               kAuthenticationFailed = 24, kTsUnacceptable = 38, kInitialContact = 16384,
                               kSetWindowSize = 16385, kNatDetectionSourceIp = 16388,
                               kNatDetectionDestinationIp = 16389, kHttpCertLookupSupported = 16392,
                               kEspTfcPaddingNotSupported = 16394, kNonFirstFragmentsAlso = 16395, kCookie = 16390,
                               kIkev2FragmentationSupported = 16430,  // RFC 7383
    kSignatureHashAlgorithms = 16431;                                 // RFC 7427
inline constexpr std::uint8_t kDeleteProtoIke = 1;                    // §3.11
}  // namespace ikev2

// Certificate encoding shared by both versions (RFC 2408 §3.9, RFC 7296 §3.6).
inline constexpr std::uint8_t kCertX509Signature = 4;
inline constexpr std::size_t kSha1Size = 20;  // one IKEv2 CERTREQ entry (RFC 7296 §3.7)

// ---- Message model ----------------------------------------------------------------------------

// Data attribute (RFC 2408 §3.3, RFC 7296 §3.3.5): TV (AF=1, 16-bit value) or TLV (AF=0).
struct Attribute {
  std::uint16_t type = 0;  // without the AF bit
  bool tv = true;
  std::uint16_t value = 0;  // TV form
  Bytes data;               // TLV form
  static Attribute basic(std::uint16_t type, std::uint16_t value) { return {type, true, value, {}}; }
  static Attribute variable(std::uint16_t type, Bytes data) { return {type, false, 0, std::move(data)}; }
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

// RFC 2408 §3.5 / §3.6.
struct TransformV1 {
  std::uint8_t number = 1;
  std::uint8_t id = ikev1::kKeyIke;
  std::vector<Attribute> attributes;
  friend bool operator==(const TransformV1&, const TransformV1&) = default;
};
struct ProposalV1 {
  std::uint8_t number = 1;
  std::uint8_t protocol = ikev1::kProtoIsakmp;
  Bytes spi;
  std::vector<TransformV1> transforms;
  friend bool operator==(const ProposalV1&, const ProposalV1&) = default;
};
// RFC 2408 §3.4; situation per RFC 2407 §4.6.1 (4 octets, IPsec DOI only).
struct SaV1 {
  std::uint32_t doi = ikev1::kDoiIpsec;
  std::uint32_t situation = ikev1::kSitIdentityOnly;
  std::vector<ProposalV1> proposals;
  friend bool operator==(const SaV1&, const SaV1&) = default;
};

// RFC 7296 §3.3.1 / §3.3.2.
struct TransformV2 {
  std::uint8_t type = ikev2::kTransEncr;
  std::uint16_t id = 0;
  std::vector<Attribute> attributes;
  friend bool operator==(const TransformV2&, const TransformV2&) = default;
};
struct ProposalV2 {
  std::uint8_t number = 1;
  std::uint8_t protocol = ikev2::kProtoIke;
  Bytes spi;
  std::vector<TransformV2> transforms;
  friend bool operator==(const ProposalV2&, const ProposalV2&) = default;
};
struct SaV2 {
  std::vector<ProposalV2> proposals;
  friend bool operator==(const SaV2&, const SaV2&) = default;
};

struct KeV2 {  // RFC 7296 §3.4
  std::uint16_t group = 0;
  Bytes data;
  friend bool operator==(const KeV2&, const KeV2&) = default;
};
struct IdV1 {  // RFC 2407 §4.6.2
  std::uint8_t type = ikev1::kIdFqdn;
  std::uint8_t protocol = 0;
  std::uint16_t port = 0;
  Bytes data;
  friend bool operator==(const IdV1&, const IdV1&) = default;
};
struct IdV2 {  // RFC 7296 §3.5
  std::uint8_t type = ikev2::kIdFqdn;
  Bytes data;
  friend bool operator==(const IdV2&, const IdV2&) = default;
};
struct Cert {  // RFC 2408 §3.9, RFC 7296 §3.6
  std::uint8_t encoding = kCertX509Signature;
  Bytes data;
  friend bool operator==(const Cert&, const Cert&) = default;
};
// RFC 2408 §3.10: one CA's DER Distinguished Name. RFC 7296 §3.7: concatenated SHA-1 hashes
// of CA SubjectPublicKeyInfo.
struct CertRequest {
  std::uint8_t encoding = kCertX509Signature;
  Bytes authority;
  friend bool operator==(const CertRequest&, const CertRequest&) = default;
};
struct AuthV2 {  // RFC 7296 §3.8
  std::uint8_t method = ikev2::kAuthRsaSig;
  Bytes data;
  friend bool operator==(const AuthV2&, const AuthV2&) = default;
};
struct NotifyV1 {  // RFC 2408 §3.14
  std::uint32_t doi = ikev1::kDoiIpsec;
  std::uint8_t protocol = ikev1::kProtoIsakmp;
  std::uint16_t type = 0;
  Bytes spi;
  Bytes data;
  friend bool operator==(const NotifyV1&, const NotifyV1&) = default;
};
struct NotifyV2 {  // RFC 7296 §3.10
  std::uint8_t protocol = 0;
  std::uint16_t type = 0;
  Bytes spi;
  Bytes data;
  friend bool operator==(const NotifyV2&, const NotifyV2&) = default;
};
// RFC 7296 §3.13.1; only the IPv4 / IPv6 address-range types (7, 8) are decoded.
struct TrafficSelector {
  std::uint8_t type = ikev2::kTsIpv4AddrRange;
  std::uint8_t ip_protocol = 0;
  std::uint16_t start_port = 0;
  std::uint16_t end_port = 65535;
  Bytes start_address;  // 4 or 16 bytes by type
  Bytes end_address;
  friend bool operator==(const TrafficSelector&, const TrafficSelector&) = default;
};
struct TsV2 {
  std::vector<TrafficSelector> selectors;
  friend bool operator==(const TsV2&, const TsV2&) = default;
};
// IKEv2 SK / SKF (RFC 7296 §3.14, RFC 7383) and an IKEv1 body under the E flag: ciphertext.
// `inner_next` is the Next Payload field, which names the first payload inside.
struct Encrypted {
  std::uint8_t inner_next = 0;
  Bytes data;
  friend bool operator==(const Encrypted&, const Encrypted&) = default;
};
// Payloads whose body is just data (KE v1, Nonce, HASH, SIG, Vendor ID) and unknown types.
struct Raw {
  Bytes data;
  friend bool operator==(const Raw&, const Raw&) = default;
};

using Body =
    std::variant<Raw, SaV1, SaV2, KeV2, IdV1, IdV2, Cert, CertRequest, AuthV2, NotifyV1, NotifyV2, TsV2, Encrypted>;

struct Payload {
  std::uint8_t type = 0;
  bool critical = false;  // IKEv2 only (RFC 7296 §3.2); never set when decoding IKEv1
  Body body;
  friend bool operator==(const Payload&, const Payload&) = default;
};

// RFC 2408 §3.1 / RFC 7296 §3.1, without Next Payload and Length (the encoder derives them).
struct Header {
  Spi ispi{};
  Spi rspi{};
  std::uint8_t major = 1;
  std::uint8_t minor = 0;
  std::uint8_t exchange = 0;
  std::uint8_t flags = 0;
  std::uint32_t message_id = 0;
  friend bool operator==(const Header&, const Header&) = default;
};

struct IkeMessage {
  Header header;
  std::vector<Payload> payloads;
  // IKEv1 with the E flag set (RFC 2408 §3.1): everything after the header is ciphertext and
  // `payloads` stays empty. inner_next is the header's Next Payload.
  std::optional<Encrypted> v1_encrypted;

  IkeVersion version() const { return header.major == 2 ? IkeVersion::V2 : IkeVersion::V1; }
  bool is_response() const { return (header.flags & ikev2::kFlagResponse) != 0; }  // IKEv2 only
  // First payload of that type, or nullptr.
  const Payload* find(std::uint8_t type) const;
  std::vector<const Payload*> all(std::uint8_t type) const;
  friend bool operator==(const IkeMessage&, const IkeMessage&) = default;
};

inline constexpr std::size_t kHeaderSize = 28;
inline constexpr std::size_t kGenericHeaderSize = 4;

// ---- Codec ------------------------------------------------------------------------------------

// Where and why decoding stopped. `offset` counts from the start of the IKE header.
struct WireError {
  std::size_t offset = 0;
  std::string reason;
  std::string what() const;  // "offset 32: payload length 2 < 4 (RFC 2408 §3.2)"
  friend bool operator==(const WireError&, const WireError&) = default;
};

class DecodeError : public std::runtime_error {
 public:
  explicit DecodeError(WireError e) : std::runtime_error(e.what()), error_(std::move(e)) {}
  const WireError& error() const { return error_; }

 private:
  WireError error_;
};

// std::expected-like (C++20 has none): a value or a WireError.
template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}          // NOLINT(google-explicit-constructor)
  Result(WireError e) : v_(std::move(e)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const WireError& error() const { return std::get<1>(v_); }

 private:
  void check() const {
    if (!ok()) throw DecodeError(error());
  }
  std::variant<T, WireError> v_;
};

// One UDP datagram's IKE message (for port 4500, after the non-ESP marker). The header's
// Length must equal the datagram size.
Result<IkeMessage> decode(std::span<const std::uint8_t> datagram);

// Thrown by encode() for a message that cannot be put on the wire (body kind that does not
// belong to the payload type, a field too long for its length field, ...).
class EncodeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
// Fills Next Payload chains, payload and message lengths, substructure counts.
Bytes encode(const IkeMessage& m);

// The plaintext of an IKEv2 SK / SKF payload (RFC 7296 §3.14): a payload chain without an IKE
// header; the first type travels in the SK payload's Next Payload field (Encrypted::inner_next).
Bytes encode_payloads(IkeVersion v, const std::vector<Payload>& payloads);
// Its inverse: `first` is the type of the first payload; offsets in errors count from `data`.
Result<std::vector<Payload>> decode_payloads(IkeVersion v, std::uint8_t first, std::span<const std::uint8_t> data);

// ---- Names (for traces and test output) -------------------------------------------------------

std::string_view payload_name(IkeVersion v, std::uint8_t type);       // "SA", "CERT_REQ", "IDi", "SK"; "" unknown
std::string_view exchange_name(IkeVersion v, std::uint8_t exchange);  // "IDENTITY_PROTECTION", "IKE_SA_INIT"
std::string_view notify_name(IkeVersion v, std::uint16_t type);       // "AUTHENTICATION_FAILED"
// One line in the spec's notation: "IKEv2 IKE_SA_INIT response #0: SA KE Nr N(NAT_DETECTION_SOURCE_IP) ...".
std::string describe(const IkeMessage& m);
std::ostream& operator<<(std::ostream& os, const IkeMessage& m);  // describe(), for test output

// ---- Distinguished names and CA tables --------------------------------------------------------

// DER of the X.509 Name for an IOS-style DN ("cn=CA1,o=cisco,o=com"). IOS prints the most
// specific RDN first; X.509 encodes from the root, so the RDN order is reversed. Values are
// PrintableString when they fit (real-stacks.md: Libreswan fails on UTF8String DNs), else
// UTF8String (emailAddress: IA5String). Throws InputError on a string it cannot parse.
Bytes dn_der_from_ios(std::string_view ios_dn);
// Back to IOS order ("cn=CA1,o=cisco,o=com"); "" when the DER is not a Name.
std::string ios_dn_from_der(std::span<const std::uint8_t> der);
// SHA-1 of the certificate's DER SubjectPublicKeyInfo (RFC 7296 §3.7); throws InputError.
Bytes spki_sha1_of_certificate(std::span<const std::uint8_t> cert_der);

// The IOS DN of a CA index: scenario CAs first, then the predefined trustpoints (predefined.hpp).
// "" when out of range.
std::string ca_dn_string(const Scenario& s, CaIndex ca);

// Per-CaIndex lookup tables that bring wire bytes back to the model.
struct CaTables {
  std::vector<Bytes> dn_der;     // DER Name per CaIndex (IKEv1 CERT_REQ)
  std::vector<Bytes> spki_sha1;  // SHA-1 of SPKI per CaIndex (IKEv2 CERTREQ)
};
// dn_der from the scenario's DN strings (+ the 5 predefined when `predefined`). spki_sha1 is
// `spki_sha1` when given, else the placeholder SHA-1(DER DN) that the model ladder also uses.
CaTables ca_tables(const Scenario& s, bool predefined = true, std::vector<Bytes> spki_sha1 = {});
// The placeholder IKEv2 CERTREQ entry for a CA without a real key: SHA-1 over its DER DN.
Bytes placeholder_spki_sha1(std::span<const std::uint8_t> dn_der);

// Exact DER match first, then OpenSSL's canonical Name comparison (case, spacing and string
// type differences). kNone when not found.
CaIndex ca_index_from_dn_der(std::span<const std::uint8_t> dn_der, const std::vector<Bytes>& ca_dn_der);
CaIndex ca_index_from_spki_sha1(std::span<const std::uint8_t> hash, const std::vector<Bytes>& ca_spki_sha1);

// One CA named on the wire, in payload order.
struct WireCertReq {
  CaIndex ca = kNone;  // kNone: not in the table
  Bytes authority;     // the DER DN (IKEv1) or one 20-byte hash (IKEv2)
  friend bool operator==(const WireCertReq&, const WireCertReq&) = default;
};
// Every X.509-signature CERT_REQ (v1: one DN each) / CERTREQ (v2: 20-byte hashes each) of a
// message in order. Other encodings are skipped. An IKEv2 CERTREQ whose length is not a
// multiple of 20 yields a last entry with the leftover bytes and ca = kNone.
std::vector<WireCertReq> certreqs_in(const IkeMessage& m, const CaTables& t);
// The model's list: CA index, plus the sender's trustpoint for that CA (its first trustpoint
// naming the CA; predefined CAs map to the predefined trustpoints after the user ones).
CertReqList to_certreq_list(const std::vector<WireCertReq>& reqs, const Scenario& s, std::uint8_t sender);

}  // namespace ikeconform::wire
