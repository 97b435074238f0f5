// The engine's certificate decisions asked of a model personality (model/personality.hpp): the
// same hooks, in the same order, that `check` asks in model/ikev1.cpp and model/ikev2.cpp, each
// with a `Step` built from the real packets (CERTREQ entries mapped back to the scenario's CAs
// by DER Name or SPKI SHA-1, the issuer of the received certificate, the received ID). It
// decides nothing itself: it translates between wire bytes / Credentials indices and the
// scenario's indices, and logs in the model's vocabulary (`ISAKMP (0): constructing CERT_REQ for
// issuer …`, `Choosing trustpoint … as issuer`, `%CRYPTO-5-IKMP_INVAL_CERT`, `Failed to build
// certificate payload`). Any personality drives it: cisco-ios, strongswan-5.9, libreswan-4.10.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/engine.hpp"
#include "model/options.hpp"
#include "model/personality.hpp"
#include "peer/cert_policy.hpp"
#include "wire/ike.hpp"

namespace ikeconform::peer {

class PersonalityPolicy final : public CertificatePolicy {
 public:
  // Peer `peer` of `s` deciding as its personality does, under model options `o`. `creds`
  // holds s's CAs in scenario order (cas()[i] is s.cas[i]) and one own certificate per enrolled
  // trustpoint, named after the trustpoint (credentials_for() below makes them so). Throws
  // std::invalid_argument for a scenario compile() refuses or credentials that do not fit.
  PersonalityPolicy(Scenario s, std::size_t peer, const Credentials& creds, ModelOptions o = {});
  PersonalityPolicy(const PersonalityPolicy&) = delete;
  PersonalityPolicy& operator=(const PersonalityPolicy&) = delete;

  // What this side decided in the current exchange, in the scenario's indices: the side's
  // part of an Observation.
  struct Record {
    CertReqList certreqs_sent;                // in order, over every message
    Message certreq_message = Message::None;  // the first message that carried a CERTREQ entry
    TpIndex cert_sent = kNone;                // trustpoint of the certificate that went out
    std::int16_t bound_profile = kNone;       // responder: the profile its peer's ID bound
    bool no_certificate = false;              // nothing to send: "Failed to build certificate payload"
    bool no_profile = false;                  // responder: no profile matched the peer's ID
    bool refused_peer = false;                // the peer's certificate did not validate
    bool no_ipsec_policy = false;             // responder: the bound profile is not the tunnel's
    // What the peer sent, as this side read it (`ikeconform emulate` prints it beside the model's
    // prediction): its CERTREQ entries mapped to the scenario's CAs, its certificate, its ID.
    CertReqList certreqs_received;
    Message certreq_received_message = Message::None;
    CaIndex peer_cert_issuer = kNone;                    // the scenario CA whose DN issued the peer's certificate
    std::string peer_cert_subject, peer_cert_issuer_dn;  // as the certificate says; "" before it came
    std::string peer_id;                                 // "10.0.0.2", "R2.cisco.com"
  };
  const Record& record() const { return record_; }
  const Scenario& scenario() const { return s_; }
  std::size_t peer() const { return peer_; }

  void begin(Role role) override;
  std::optional<std::vector<Bytes>> certreq(const CertStep& at) override;
  std::optional<std::size_t> choose_certificate(const CertStep& at) override;
  bool sends_certificate(const CertStep& at) override;
  bool bind_profile(const CertStep& at) override;
  std::vector<std::size_t> trust_anchors(const CertStep& at) override;
  void certificate_checked(const CertStep& at, std::optional<std::size_t> anchor) override;
  bool ipsec_policy(const CertStep& at) override;
  std::optional<std::pair<std::uint8_t, Bytes>> local_identity(const CertStep& at) override;
  // IKEv2 initiator: the IDr its personality sends in the IKE_AUTH request (Personality::idr).
  std::optional<IdentityMatch> idr();

 private:
  ikeconform::Role role(const CertStep& at) const;
  Step step(const CertStep& at);                     // the personality's view, from the packets
  const Profile* profile(const CertStep& at) const;  // the tunnel's (initiator) or the bound one
  void flush(const CertStep& at);                    // the personality's trace lines into the SA's log
  bool v1() const { return s_.ike_version == IkeVersion::V1; }

  Scenario s_;
  std::size_t peer_;
  const Credentials& creds_;
  ModelOptions o_;
  CompiledScenario cs_;
  wire::CaTables tables_;
  std::vector<std::int16_t> own_of_tp_;  // per user trustpoint: index into creds.own(), or kNone
  std::vector<std::string> lines_;
  Trace trace_{&lines_};
  // The current exchange.
  CertReqList received_;
  std::string peer_id_text_;
  PeerId peer_id_;
  Bytes peer_cert_seen_;    // the received certificate already parsed into record_ (asked per step)
  IdentityCert peer_cert_;  // its subject, for certificate maps
  TpIndex chosen_ = kDeferred;
  bool decided_ = false;
  Record record_;
};

// Credentials of peer `peer` of `s` in the order PersonalityPolicy expects: every scenario CA
// (PEM, in scenario order) as an anchor, and each enrolled trustpoint's certificate and key,
// named after the trustpoint. `ca_pem[i]` is s.cas[i]'s certificate; `own(tp)` gives the PEM
// certificate and key of the peer's certificate under trustpoint `tp` (nullopt: none).
struct OwnPem {
  std::string cert_pem, key_pem;
  Pkey key;  // key_pem already decoded, when the caller has it (decoding costs ~1 ms); else null
};
Credentials credentials_for(const Scenario& s, std::size_t peer, const std::vector<std::string>& ca_pem,
                            const std::function<std::optional<OwnPem>(const std::string& trustpoint)>& own);

}  // namespace ikeconform::peer
