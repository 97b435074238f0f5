// Switches for every rule the Cisco note only implies (spec section 7). Defaults are the
// spec's inferred choices; `--model-option KEY=VALUE` sets them from the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ikeconform {

// V1-7: which certificate a peer sends when no received CERT_REQ matches.
enum class FallbackCertificate : std::uint8_t {
  ProfileThenStore,  // "profile-then-store": first trustpoint of its profile list, else first of the store
  Store,             // "store": first identity certificate of the store
  None,              // "none": send no certificate (authentication then fails)
};
// V2-12: what the IKEv2 initiator's IKE_AUTH CERTREQ names.
enum class CertReqScope : std::uint8_t { Profile, All };
// V1-4 (inferred part): where CA-only trustpoints go in the CERT_REQ order.
enum class CaOnlyOrder : std::uint8_t {
  ReverseAuthenticate,  // "reverse-authenticate": after the enrolled issuers, newest `crypto pki authenticate` first
  Authenticate,         // "authenticate": after the enrolled issuers, in configuration order
};

// V2-9 documents that IKEv2 binds the last matching profile; V2-11 says overlapping IKEv1 profiles
// "give the same kind of trouble", so IKEv1 follows the same rule unless told otherwise.
enum class ProfileMatch : std::uint8_t { Last, First };

struct ModelOptions {
  bool initiator_choice_restricted_to_profile = true;                                // V1-6
  FallbackCertificate fallback_certificate = FallbackCertificate::ProfileThenStore;  // V1-7
  CertReqScope ikev2_initiator_certreq = CertReqScope::Profile;                      // V2-12
  CertReqScope ikev2_responder_choice = CertReqScope::Profile;                       // V2-13
  bool predefined_trustpoints = true;                                                // section 1
  CaOnlyOrder ca_only_order = CaOnlyOrder::ReverseAuthenticate;                      // V1-4
  ProfileMatch ikev1_profile_match = ProfileMatch::Last;                             // V1-8 with V2-11
  // V2-2 (inferred): the IKEv2 CERTREQ also names the predefined CAs, as IKEv1 does (the note's
  // log only shows the user trustpoints retrieved from the hashes).
  bool ikev2_certreq_predefined = true;
  // V1-3 (inferred): "unless the IP address is used as the identity": a responder binds a
  // profile that matches the peer's source address by `match identity address` before MM4 and
  // restricts MM4 to that profile's `ca trust-point` list.
  bool ikev1_early_binding_by_address = false;
  bool trace = true;  // build the IOS-vocabulary trace (off for throughput)

  friend bool operator==(const ModelOptions&, const ModelOptions&) = default;
};

// Applies "KEY=VALUE"; returns an error message on an unknown key or value.
std::optional<std::string> set_model_option(ModelOptions& o, std::string_view key_eq_value);
// Every option as KEY -> VALUE, in a stable order (for summaries and reports).
std::vector<std::pair<std::string, std::string>> describe(const ModelOptions& o);
// The accepted values of each key, for --help and error messages.
std::string model_option_help();

}  // namespace ikeconform
