// Every certificate decision of the engine goes through this interface, asked at the same
// points of the exchange as the model asks its personality (model/personality.hpp): which CAs
// to request in this message, which own certificate to send, whether to send it, which profile
// the peer's ID binds, which trust anchors may validate the peer's certificate. The engine only
// carries out the answers and tells the policy what the packets said (`Received`).
//
// The one implementation is PersonalityPolicy (personality_policy.hpp): an adapter that asks a
// model personality, so that the emulated router decides exactly as `check` predicts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/observation.hpp"  // Message
#include "peer/credentials.hpp"

namespace ikeconform::peer {

enum class Role { Initiator, Responder };

// What this side has received so far in one exchange, as decoded from the packets.
struct Received {
  // X.509-signature CERTREQ entries in order: one DER Name per IKEv1 CERT_REQ payload, one
  // 20-octet SHA-1 of a SubjectPublicKeyInfo per IKEv2 entry (a shorter leftover kept as is).
  std::vector<Bytes> certreqs;
  bool certreq_payload = false;   // a CERTREQ payload arrived, even one naming nothing
  Bytes peer_cert;                // the peer's end-entity certificate (DER), once received
  std::uint8_t peer_id_type = 0;  // IDi / IDr type (RFC 2407 §4.6.2.1 / RFC 7296 §3.5); 0: not yet
  Bytes peer_id;
};

// Where the engine asks: the message being built or processed and this side's role.
struct CertStep {
  Message message = Message::None;
  Role role = Role::Initiator;
  const Received& received;
  std::vector<std::string>& log;  // the SA's trace: the policy says what it decided, in its vocabulary
};

class CertificatePolicy {
 public:
  virtual ~CertificatePolicy() = default;
  // A new exchange starts on this side (the engine made a new SA): the last one's decisions go.
  virtual void begin(Role role) = 0;
  // The CERTREQ entries of the message being built (wire form, as in Received::certreqs), in
  // payload order; nullopt: the message carries no CERTREQ payload; empty: an empty one.
  virtual std::optional<std::vector<Bytes>> certreq(const CertStep& at) = 0;
  // Our certificate (index into Credentials::own()) for what the peer requested; nullopt: none.
  // Asked where the model asks (IKEv1: on the CERT_REQs' arrival and when building MM5 / MM6;
  // IKEv2: when building IKE_AUTH); a policy that decided earlier repeats its answer.
  virtual std::optional<std::size_t> choose_certificate(const CertStep& at) = 0;
  // Whether the chosen certificate goes into the message (strongSwan: only when asked).
  virtual bool sends_certificate(const CertStep& at) = 0;
  // Responder: a profile matches the peer's ID (received.peer_id); false: none does.
  virtual bool bind_profile(const CertStep& at) = 0;
  // Trust anchors (indices into Credentials::cas()) that may validate the peer's certificate.
  virtual std::vector<std::size_t> trust_anchors(const CertStep& at) = 0;
  // The outcome of the validation (`anchor`: index into Credentials::cas(), nullopt: refused),
  // for the policy's log.
  virtual void certificate_checked(const CertStep& at, std::optional<std::size_t> anchor) = 0;
  // Responder: an IPsec policy covers the CHILD SA under the bound profile (V2-10 / V2-11).
  virtual bool ipsec_policy(const CertStep& at) = 0;
  // Our ID payload's type and data under the profile in force when the ID goes out (IKEv1 MM5 /
  // MM6, IKEv2 IKE_AUTH): the responder's bound profile may present another identity than the
  // tunnel's (`self-identity`, V1-11). The types of ID_IPV4_ADDR and ID_FQDN agree in both
  // versions. nullopt: the configured one.
  virtual std::optional<std::pair<std::uint8_t, Bytes>> local_identity(const CertStep& at) {
    (void)at;
    return std::nullopt;
  }
};

// The validation step both versions share: the received certificate logged, the policy's anchors, RFC 5280 validation
// of `cert` (null: the peer sent none) against them, the outcome told to the policy. Returns the anchor (index into
// Credentials::cas()) that validated, or nullopt with the reason in `why`.
std::optional<std::size_t> check_peer_certificate(CertificatePolicy& policy, const CertStep& at,
                                                  const Credentials& creds, const Bytes* cert, std::string& why);

}  // namespace ikeconform::peer
