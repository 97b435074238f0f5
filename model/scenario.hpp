// Vendor-neutral trust intent for two peers: the `ikeconform.scenario/1` format.
// Everything a target needs to run one tunnel in either direction; nothing vendor-specific.
// The JSON form is documented in docs/scenario-format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/personality_names.hpp"

namespace ikeconform {

inline constexpr const char* kScenarioSchema = "ikeconform.scenario/1";

enum class IkeVersion : std::uint8_t { V1 = 1, V2 = 2 };
enum class AuthMethod : std::uint8_t { RsaSig, PreShare };
// IKE identification types this project uses (RFC 7296 §3.5 / RFC 2407 §4.6.2.1): FQDN (2),
// IPv4 address (1), DER ASN.1 DN (9; IOS `identity local dn` / `self-identity dn`: the subject
// of the certificate sent), RFC 822 address (3; IKEv1 ID_USER_FQDN, IOS `identity local email` /
// `self-identity user-fqdn`).
enum class IdKind : std::uint8_t { Fqdn, Address, Dn, Email };
std::string_view id_kind_name(IdKind k);                         // "fqdn", "address", "dn", "email"
enum class TrustpointUse : std::uint8_t { Both, Sign, Verify };  // IKEv2 `pki trustpoint X [sign|verify]` (V2-6)
enum class Revocation : std::uint8_t { None, Crl };

// A certificate authority. `id` is the scenario-local key other objects refer to.
struct Ca {
  std::string id;              // e.g. "CA1"
  std::string dn;              // issuer DN as IOS prints it: "cn=CA1,o=cisco,o=com"
  std::string enrollment_url;  // optional; section 6 uses it to tell CAs apart
  friend bool operator==(const Ca&, const Ca&) = default;
};

// `crypto pki trustpoint NAME`: one CA certificate (the anchor), authenticated in list order.
struct Trustpoint {
  std::string name;  // "IOSCA1"
  std::string ca;    // Ca::id
  Revocation revocation_check = Revocation::None;
  friend bool operator==(const Trustpoint&, const Trustpoint&) = default;
};

// The router's own identity certificate, enrolled under a trustpoint.
struct IdentityCert {
  std::string trustpoint;
  std::string subject;                // optional, e.g. "cn=R1,ou=IT-CA1,o=cisco,o=com"
  bool revoked = false;               // section 7: CRL check fails only when marked revoked
  std::vector<std::string> features;  // V1-13: e.g. "x509v1", "sig-md5"; a verifier lacking one rejects
  friend bool operator==(const IdentityCert&, const IdentityCert&) = default;
};

// `match identity host|address|user-fqdn` (IKEv1) / `match identity remote fqdn|address|email`
// (IKEv2). IOS has no line for a DN identity (kind Dn is never a match line): a DN sender is
// matched by `match certificate` (CertificateMap) instead.
struct IdentityMatch {
  IdKind kind = IdKind::Fqdn;
  std::string value;  // FQDN, IPv4 address, e-mail address; with `domain` the domain
  std::string mask;   // address only, optional ("255.255.255.255")
  // `... domain NAME` (fqdn / host, email / user-fqdn): an FQDN that is NAME or ends in ".NAME",
  // an e-mail address whose part after '@' is NAME.
  bool domain = false;
  friend bool operator==(const IdentityMatch&, const IdentityMatch&) = default;
};

// `crypto pki certificate map NAME SEQ` (Cisco IOS Security Command Reference): each line is
// FIELD OP VALUE; every line of one sequence must hold, and any sequence of the map may match.
// Values compare case-insensitively, blanks around `=` and `,` ignored (IOS prints `ou = green`).
enum class CertField : std::uint8_t { SubjectName, IssuerName };  // `subject-name`, `issuer-name`
enum class CertMatchOp : std::uint8_t { Eq, Ne, Co, Nc };         // equal, not equal, contains, does not contain
std::string_view cert_field_name(CertField f);                    // "subject-name", "issuer-name"
std::string_view cert_match_op_name(CertMatchOp o);               // "eq", "ne", "co", "nc"
struct CertMapRule {
  CertField field = CertField::SubjectName;
  CertMatchOp op = CertMatchOp::Eq;
  std::string value;  // "cn=R1,o=cisco" (eq/ne: the whole DN), "cisco" (co/nc)
  friend bool operator==(const CertMapRule&, const CertMapRule&) = default;
};
struct CertMapEntry {
  int seq = 10;
  std::vector<CertMapRule> rules;  // all must hold; none: every certificate
  friend bool operator==(const CertMapEntry&, const CertMapEntry&) = default;
};
struct CertificateMap {
  std::string name;
  std::vector<CertMapEntry> entries;  // sequence order; any may match
  friend bool operator==(const CertificateMap&, const CertificateMap&) = default;
};

struct ProfileTrustpoint {
  std::string trustpoint;
  TrustpointUse use = TrustpointUse::Both;
  friend bool operator==(const ProfileTrustpoint&, const ProfileTrustpoint&) = default;
};

// `crypto isakmp profile` (IKEv1) or `crypto ikev2 profile` (IKEv2), by the scenario's version.
struct Profile {
  std::string name;
  std::vector<IdentityMatch> match;
  IdKind self_identity = IdKind::Fqdn;  // `self-identity fqdn` / `identity local address`
  // `ca trust-point` (IKEv1, use always Both) / `pki trustpoint` (IKEv2). Empty: no restriction.
  std::vector<ProfileTrustpoint> trustpoints;
  AuthMethod auth_local = AuthMethod::RsaSig;
  AuthMethod auth_remote = AuthMethod::RsaSig;
  // `match certificate MAP`: the peer matches the profile when one of these maps matches the
  // certificate it sent, or one of `match` its identity (IOS ORs them).
  std::vector<CertificateMap> match_certificate;
  // The configured e-mail address of `self-identity user-fqdn NAME` / `identity local email NAME`
  // (self_identity Email only, required there). A DN identity has no value of its own: it is the
  // subject of the certificate sent (certificate_subjects(), model/dn.hpp).
  std::string self_identity_value{};
  friend bool operator==(const Profile&, const Profile&) = default;
};

// `crypto isakmp policy` / `crypto ikev2 proposal`: compared verbatim between peers.
struct Proposal {
  std::string encryption = "aes";
  std::string integrity = "sha256";
  int group = 14;
  friend bool operator==(const Proposal&, const Proposal&) = default;
};

struct Peer {
  std::string name;     // hostname, "R1"
  std::string fqdn;     // "R1.cisco.com"
  std::string address;  // outside address, "192.168.0.1"
  std::string personality = std::string(kCiscoIos);
  std::vector<Trustpoint> trustpoints;     // configuration (`crypto pki authenticate`) order
  std::vector<IdentityCert> certificates;  // enrollment order, oldest first
  std::vector<Profile> profiles;           // configuration order (V2-9 takes the last match)
  std::string tunnel_profile;              // profile bound to Tunnel1 via `tunnel protection`
  std::vector<Proposal> proposals;         // empty: one default proposal
  // V1-13: certificate features this peer cannot verify ("x509v1", "sig-md5", ...).
  std::vector<std::string> unsupported_features;
  // Protocol bugs of the emulated router on this peer (model/protocol_bugs.hpp names); only a
  // `cisco-ios` side of a real pair carries them out, every other target refuses them.
  std::vector<std::string> bugs;
  friend bool operator==(const Peer&, const Peer&) = default;
};

struct Scenario {
  std::string name;
  IkeVersion ike_version = IkeVersion::V1;
  bool aggressive_mode = false;  // section 7: not covered, rejected as UNSUPPORTED
  std::vector<Ca> cas;
  std::vector<Peer> peers;  // exactly two
  friend bool operator==(const Scenario&, const Scenario&) = default;
};

// The position of the element of `v` whose `field` is `name`, or -1 (kNone) when absent.
template <typename T>
std::int16_t index_of(const std::vector<T>& v, const std::string& name, std::string T::*field) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].*field == name) return static_cast<std::int16_t>(i);
  return -1;
}

// Lookups used across the project; nullptr when absent.
const Ca* find_ca(const Scenario& s, const std::string& id);
const Trustpoint* find_trustpoint(const Peer& p, const std::string& name);
const Profile* find_profile(const Peer& p, const std::string& name);

// The first DN or e-mail identity, or `match identity` line of kind email or with `domain`, in
// `s`, described ("R1's profile prof1 sends a dn identity"); nullopt when none. What a target
// that renders FQDN and address identities only refuses (Expressible::dn_email_identities).
std::optional<std::string> dn_email_identity_use(const Scenario& s);

// Structural checks (references resolve, names unique, two peers). Returns problems, empty if valid.
std::vector<std::string> validate(const Scenario& s);

}  // namespace ikeconform
