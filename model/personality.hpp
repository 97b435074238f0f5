// A personality is the small set of vendor decisions the engine asks about: which CAs to
// request in which message and role, how to pick the own certificate from the received
// CERTREQs, how to bind a profile from the peer's ID, and which anchors validate.
// `cisco-ios` follows spec/cisco-ios-behavior.md; others follow spec/real-stacks.md.
#pragma once

#include <string_view>
#include <vector>

#include "model/engine.hpp"

namespace ikeconform {

class Personality {
 public:
  virtual ~Personality() = default;
  virtual std::string_view name() const = 0;

  // IKEv1: the initiator's CERT_REQs go in MM3 (IOS, V1-2) or MM5 (strongSwan).
  virtual Message ikev1_initiator_certreq_message() const { return Message::MM3; }
  // IKEv1 responder: pick the certificate when the CERT_REQs arrive (IOS, before any profile is
  // bound, V1-5) or when building MM6 with the bound profile known.
  virtual bool ikev1_responder_chooses_after_binding() const { return false; }

  // Whether this peer's CERTREQ payload goes out even when it names no CA (an "any CA"
  // request): Libreswan's IKEv1 initiator (MM5) and IKEv2 responder send one.
  virtual bool sends_empty_certreq(const Negotiation&, const PeerCtx&, Role) const { return false; }
  // Whether this peer sends its certificate; `asked`: the peer sent a CERTREQ payload (even an
  // empty one). strongSwan's default `send_cert = ifasked` sends it only when asked; without
  // it the peer has nothing to verify the signature with and rejects the authentication.
  virtual bool sends_certificate(const Negotiation&, const PeerCtx&, Role, bool asked) const {
    (void)asked;
    return true;
  }

  // The CERT_REQ list this peer sends. `profile` is null when the peer cannot know it yet.
  virtual void build_certreq(const Negotiation& n, const PeerCtx& self, Role role, const Profile* profile,
                             CertReqList& out) const = 0;
  // The trustpoint whose certificate this peer sends, or kNone (no certificate payload).
  virtual TpIndex choose_certificate(const Negotiation& n, const PeerCtx& self, Role role, const Profile* profile,
                                     const CertReqList& received) const = 0;
  // Responder: index of the profile bound from the peer's identity, or kNone.
  virtual std::int16_t bind_profile(const Negotiation& n, const PeerCtx& self, const PeerId& id) const = 0;
  // The trustpoints that may validate a certificate received under `profile` (null: none known).
  virtual void validation_list(const Negotiation& n, const PeerCtx& self, const Profile* profile,
                               TpList& out) const = 0;
};

// Registered personalities by name ("cisco-ios", ...); nullptr when unknown.
const Personality* find_personality(std::string_view name);
std::vector<std::string_view> personality_names();

}  // namespace ikeconform
