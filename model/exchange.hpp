// The base both engines share (model/ikev1.cpp, model/ikev2.cpp): the two peers of one
// direction, the observation being filled, what each side has sent so far, and the
// certificate steps every exchange has (is a certificate sent, validate it). The engines
// add one function per message and role on top, asking the personality at each (personality.hpp).
#pragma once

#include "model/engine.hpp"
#include "model/personality.hpp"

namespace ikeconform {

class Exchange {
 protected:
  Exchange(const CompiledScenario& c, std::uint8_t ini, const ModelOptions& opt, IkeVersion v);

  // Ends the exchange: the IKE SA failed at `at` for `why`. Returns false so that a step can
  // `return fail(...)`.
  bool fail(Message at, Reason why);

  // What `role`'s peer knows while it builds or processes `m` (Step, personality.hpp).
  Step step(Message m, Role role) const;

  // Whether `sender` puts its certificate in the message it builds at `at`: the peer asked for one
  // with a CERTREQ payload (V1-5 / V2-3 read it), and the personality agrees.
  bool sends_cert(const PeerCtx& sender, const Step& at);

  // V1-9 / V1-10 / V2-5 / V2-8: the verifier checks the received chain against its validation list.
  bool validate(const PeerCtx& verifier, const Step& at, const Profile* profile, const PeerCtx& sender, TpIndex sent,
                bool cert_sent);

  // The certificate `sender` sent (CERT payload), as its peer sees it: the issuer.
  void cert_sent_by(Role sender, const PeerCtx& p, TpIndex tp) {
    (sender == Role::Initiator ? cert_from_initiator : cert_from_responder) = p.ca_of(tp);
    (sender == Role::Initiator ? cert_obj_from_initiator : cert_obj_from_responder) = &p.certificate(tp);
  }

  // Personality::unsupported() of either peer: UNSUPPORTED at `first` (the exchange's first
  // message), false. True when both can back a verdict.
  bool backed_by_personalities(Message first) {
    for (const PeerCtx* p : {&I, &R})
      if (auto why = p->personality->unsupported(*cs.scenario, p->index)) {
        trace("ikeconform: the {} personality of {} cannot back a verdict: {}", p->personality->name(), p->peer->name,
              *why);
        return fail(first, Reason::Unsupported);
      }
    return true;
  }

  // The ID `who` sends at `at` (IDi / IDr) under `profile` (null: no profile bound, the global
  // configuration) with the certificate of trustpoint `sent` (kNone: none). A DN identity
  // (`identity local dn`) with no certificate to take the subject from -- a pre-shared key -- is
  // not documented: UNSUPPORTED at `at`, false.
  bool send_id(const PeerCtx& who, const Profile* profile, TpIndex sent, Message at, PeerId& out) {
    out = profile ? who.identity(*profile, sent) : who.global_identity(sent);
    if (out.kind != IdKind::Dn || !out.value.empty()) return true;
    trace("ikeconform: {} sends a DN identity without a certificate to take it from: not modelled", who.peer->name);
    return fail(at, Reason::Unsupported);
  }

  // The responder's bind_profile() could not decide (kUndecided): UNSUPPORTED at `at`.
  bool undecided_profile(Message at) {
    obs.responder_profile = kNone;
    trace("ikeconform: the profile binding depends on certificate data the scenario does not hold");
    return fail(at, Reason::Unsupported);
  }

  const CompiledScenario& cs;
  const ModelOptions& o;
  Observation obs;
  Trace trace;
  Negotiation n;
  const PeerCtx& I;
  const PeerCtx& R;
  const Profile& iprof;
  // What crossed the wire so far beyond the observation's CERTREQ lists.
  bool certreq_payload_from_initiator = false;  // a CERTREQ payload, even an empty one
  bool certreq_payload_from_responder = false;
  CaIndex cert_from_initiator = kNone;  // issuer of the CERT payload
  CaIndex cert_from_responder = kNone;
  const IdentityCert* cert_obj_from_initiator = nullptr;  // the CERT payload's certificate
  const IdentityCert* cert_obj_from_responder = nullptr;
  std::optional<IdentityMatch> idr;  // the IDr the IKEv2 initiator sent (Personality::idr)
  PeerId iid;                        // IDi, once sent
  PeerId rid;                        // IDr, once sent
  bool iid_sent = false;
  bool rid_sent = false;
};

}  // namespace ikeconform
