// A personality is the small set of vendor decisions an IKE engine asks about, message by
// message: which CAs to request in this message, which own certificate to send given the
// CERTREQs received, which profile to bind from the peer's ID, and which anchors validate.
// `cisco-ios` follows spec/cisco-ios-behavior.md; others follow spec/real-stacks.md.
//
// The shape is strongSwan's ike_cert_pre / ike_cert_post tasks: the engine calls the
// personality at every step where a certificate decision is made, and tells it where it is
// (`Step`: the message, this peer's role, and what it has received so far). Nothing else steers
// the engine, so a wire engine (peer/) calls the same hooks in the same order from real packets:
//
//   IKEv1 main mode (model/ikev1.cpp)            IKEv2 (model/ikev2.cpp)
//   I builds MM1      choose_certificate(MM1)
//   R processes MM1   bind_profile(MM1)
//   R processes MM3   bind_profile(MM3) with a pre-shared key
//   I builds MM3      certreq(MM3)               R builds IKE_SA_INIT resp  certreq(IKE_SA_INIT)
//   R processes MM3   choose_certificate(MM3)    I builds IKE_AUTH req      choose_certificate(IKE_AUTH),
//   R builds MM4      certreq(MM4)                                          sends_certificate, certreq(IKE_AUTH), idr
//   I processes MM4   choose_certificate(MM4)    R processes IKE_AUTH req   bind_profile, validation_list
//   I builds MM5      sends_certificate, certreq(MM5)   R builds IKE_AUTH resp  choose_certificate, sends_certificate
//   R processes MM5   bind_profile, validation_list     I processes IKE_AUTH resp  bind_profile, validation_list
//   R builds MM6      choose_certificate(MM6) while still kDeferred, sends_certificate
//   I processes MM6   bind_profile, validation_list
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/engine.hpp"
#include "model/personality_names.hpp"

namespace ikeconform {

// choose_certificate(): "not at this step, ask me again when the certificate goes out".
inline constexpr TpIndex kDeferred = -2;
// bind_profile(): the binding depends on certificate data the scenario does not hold (a
// `match certificate` map on a subject that is not known); the engine answers UNSUPPORTED.
inline constexpr std::int16_t kUndecided = -3;

// Where in the exchange a personality is asked, and what this peer has received so far (in
// the model from the simulated exchange; on the wire from the decoded packets).
struct Step {
  Message message = Message::None;                 // the message being built or processed; None: outside an exchange
  Role role = Role::Responder;                     // this peer's role
  const CertReqList* certreqs_received = nullptr;  // the peer's CERT_REQs so far, in order
  CaIndex peer_cert_issuer = kNone;                // issuer of the certificate the peer sent, once received
  const IdentityCert* peer_cert = nullptr;         // that certificate (its subject), once received
  const PeerId* peer_id = nullptr;                 // the peer's IKE identity, once received
  const IdentityMatch* idr_received = nullptr;     // IKEv2 responder: the IDr the initiator sent, if any

  bool in_exchange() const { return message != Message::None; }
  const CertReqList& received() const;  // the CERT_REQs received (empty when none)
};

class Personality {
 public:
  virtual ~Personality() = default;
  virtual std::string_view name() const = 0;

  // "Can I back a verdict on this scenario?" Asked of both peers' personalities before the first
  // message of every direction; a reason ends the exchange UNSUPPORTED there, with the reason in
  // the trace: a verdict we cannot back is worse than no verdict. `self` is this peer's index.
  virtual std::optional<std::string> unsupported(const Scenario& s, std::size_t self) const {
    (void)s;
    (void)self;
    return std::nullopt;
  }

  // For reports only: the message that carries an IKEv1 initiator's CERT_REQs (IOS MM3, V1-2;
  // strongSwan and Libreswan MM5). The engine itself just asks certreq() at every message.
  virtual Message ikev1_initiator_certreq_message() const { return Message::MM3; }

  // "Which CERT_REQs do I send in this message?" Asked for every message this peer builds that
  // may carry them (IKEv1 MM3 / MM5 by the initiator, MM4 by the responder; IKEv2 the
  // IKE_SA_INIT response and the IKE_AUTH request). Appends to `out` and returns whether the
  // message carries a CERTREQ payload at all; true with nothing appended is an "any CA" request
  // (Libreswan). Must leave `out` alone when it returns false. `profile` is null when the peer
  // cannot know it yet.
  virtual bool certreq(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile* profile,
                       CertReqList& out) const = 0;

  // "Which certificate do I send, given the CERT_REQs received?" Asked when CERT_REQs arrive
  // (IKEv1 MM3 by the responder, MM4 by the initiator; IKEv2 when building IKE_AUTH) and, while
  // the answer is kDeferred, again when building the message that carries the certificate
  // (IKEv1 MM6). An IKEv1 initiator that signs is also asked before MM1, where kNone ends the
  // exchange before anything is sent (strongSwan needs its key to choose the method).
  // Returns the trustpoint whose certificate goes out, or kNone (no certificate).
  virtual TpIndex choose_certificate(const Negotiation& n, const PeerCtx& self, const Step& at,
                                     const Profile* profile) const = 0;

  // "Do I put my certificate in this message?" `asked`: the peer sent a CERTREQ payload (even an
  // empty one). strongSwan's default `send_cert = ifasked` sends it only when asked; without it
  // the peer has nothing to verify the signature with and rejects the authentication.
  virtual bool sends_certificate(const Negotiation&, const PeerCtx&, const Step&, bool asked) const {
    (void)asked;
    return true;
  }

  // Responder: "which profile do I bind from this ID (and the certificate received, `at.peer_cert`)?"
  // Index into the peer's profiles, kNone, or kUndecided.
  // IKEv1 responder at MM1 (`at.peer_id` null, `id` empty): "do I answer this proposal?", whose
  // authentication method is the initiator's; kNone refuses it (IOS, V1-1). At MM3 with a
  // pre-shared key: "do I hold a key for this peer?"; kNone fails there.
  // Initiator, when the responder's ID arrives (IKEv1 MM6, IKEv2 IKE_AUTH response): "does it fit
  // the profile I initiated with?" The tunnel's profile, or kNone to fail the exchange there
  // (IOS keeps the tunnel's profile whatever the ID; strongSwan checks it against remote.id).
  virtual std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const Step& at,
                                    const PeerId& id) const = 0;

  // IKEv2 initiator: "which IDr do I send in the IKE_AUTH request?" (RFC 7296 §3.5, optional:
  // the identity of the responder it wants). The responder sees it as `Step::idr_received`; a
  // personality with several identities may pick a profile by it. nullopt: no IDr (IOS).
  virtual std::optional<IdentityMatch> idr(const Negotiation& n, const PeerCtx& self) const {
    (void)n;
    (void)self;
    return std::nullopt;
  }

  // IKEv2 responder: "does my parser take this IDr?" An address range is sent as
  // ID_IPV4_ADDR_SUBNET (4), an IKEv1 type RFC 7296 §3.5 does not define for IKEv2; false: the
  // request is refused as malformed (INVALID_SYNTAX) before anything else is looked at.
  virtual bool parses_idr(const IdentityMatch& idr) const {
    (void)idr;
    return true;
  }

  // IKEv2, either end, once the peer's IKE_AUTH is in and its profile bound, before the engine
  // compares authentication methods: a refusal that comes first ("Peer ID … mismatched on first
  // found connection" from pluto, which decodes the certificates and checks the ID before it
  // looks at the method). nullopt: nothing before the method (IOS, strongSwan).
  virtual std::optional<Reason> refuses_before_method(const Negotiation& n, const PeerCtx& self, const Step& at,
                                                      const PeerId& id) const {
    (void)n;
    (void)self;
    (void)at;
    (void)id;
    return std::nullopt;
  }

  // IKEv1 responder at MM5 whose peer matched none of its profiles: true goes on with the global
  // configuration (no profile bound: every global trustpoint validates, the global ISAKMP
  // policies, the address as identity, IOS's `crypto isakmp identity` default); false fails there.
  virtual bool ikev1_unmatched_uses_global() const { return false; }

  // "Which trustpoints validate the certificate received under `profile`?" (null: none bound).
  virtual void validation_list(const Negotiation& n, const PeerCtx& self, const Step& at, const Profile* profile,
                               TpList& out) const = 0;
};

// Registered personalities by name (kCiscoIos, ...: model/personality_names.hpp); nullptr when unknown.
const Personality* find_personality(std::string_view name);
std::vector<std::string_view> personality_names();

}  // namespace ikeconform
