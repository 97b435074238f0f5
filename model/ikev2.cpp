// IKEv2 with RSA signatures (RFC 7296 §1.2), spec section 3: one function per exchange half and
// role (`ike_auth_build_i` builds the IKE_AUTH request, `ike_auth_process_r` reads it), each
// asking the personality what it decides at that point.
#include "model/exchange.hpp"

namespace ikeconform {
namespace {

class Ikev2Exchange final : Exchange {
 public:
  Ikev2Exchange(const CompiledScenario& c, std::uint8_t ini, const ModelOptions& opt)
      : Exchange(c, ini, opt, IkeVersion::V2) {}

  Observation run() {
    if (backed_by_personalities(Message::IKE_SA_INIT) && ike_sa_init() && ike_auth_build_i() && ike_auth_process_r() &&
        ike_auth_build_r() && ike_auth_process_i())
      child_sa();
    return std::move(obs);
  }

 private:
  TpIndex ichoice = kNone;  // the initiator's certificate (its trustpoint)
  TpIndex rchoice = kNone;
  bool isigns = false;  // authentication local rsa-sig
  bool icert = false;   // the IKE_AUTH request carries the initiator's certificate
  const Profile* rprof = nullptr;

  // IKE_SA_INIT. V2-1: the request carries no CERTREQ. V2-2: the responder does not know its
  // profile yet and asks for every trustpoint.
  bool ike_sa_init() {
    trace(
        "IKEv2 IKE_SA_INIT Exchange REQUEST Payload contents: SA KE N VID VID NOTIFY(NAT_DETECTION_SOURCE_IP) "
        "NOTIFY(NAT_DETECTION_DESTINATION_IP)");
    if (!proposals_agree(*I.peer, *R.peer)) {
      trace("IKEv2:(SA ID = 1):Sending no proposal chosen notify");
      return fail(Message::IKE_SA_INIT, Reason::NoProposalChosen);
    }
    certreq_payload_from_responder = R.personality->certreq(n, R, step(Message::IKE_SA_INIT, Role::Responder), nullptr,
                                                            obs.certreq_from_responder);
    trace(
        "IKEv2 IKE_SA_INIT Exchange RESPONSE Payload contents: SA KE N VID VID NOTIFY(NAT_DETECTION_SOURCE_IP) "
        "NOTIFY(NAT_DETECTION_DESTINATION_IP) CERTREQ NOTIFY(HTTP_CERT_LOOKUP_SUPPORTED)");
    if (trace.on())
      for (const CertReq& c : obs.certreq_from_responder) trace("IKEv2: CERTREQ hash of CA {}", n.ca_dn(c.ca));
    return true;
  }

  // IKE_AUTH request. V2-3 / V2-4: the initiator picks its certificate among its profile's sign
  // trustpoints; V2-7 / V2-12: CERT and the initiator's CERTREQ.
  bool ike_auth_build_i() {
    const Step at = step(Message::IKE_AUTH, Role::Initiator);
    isigns = iprof.auth_local == AuthMethod::RsaSig;
    if (isigns) {
      ichoice = I.personality->choose_certificate(n, I, at, &iprof);
      if (ichoice == kDeferred) ichoice = kNone;  // this message carries it: no later point to decide
      obs.initiator_trustpoint = ichoice;
      if (ichoice == kNone) {
        trace("IKEv2:(SA ID = 1):Failed to build certificate payload");
        return fail(Message::IKE_AUTH, Reason::NoCertificatePayload);
      }
      icert = sends_cert(I, at);
      if (icert) cert_sent_by(Role::Initiator, I, ichoice);
      else obs.initiator_trustpoint = kNone;
    }
    // Asked whatever the method: strongSwan requests certificates even for a pre-shared key
    // (ike_cert_pre.c build_certreqs() looks only at the CAs); IOS and Libreswan do not.
    certreq_payload_from_initiator = I.personality->certreq(n, I, at, &iprof, obs.certreq_from_initiator);
    trace(
        "IKEv2:(SA ID = 1):Building packet for encryption. Payload contents: VID IDi "
        "{}{}NOTIFY(HTTP_CERT_LOOKUP_SUPPORTED) "
        "AUTH CFG SA TSi TSr NOTIFY(INITIAL_CONTACT) NOTIFY(SET_WINDOW_SIZE) NOTIFY(ESP_TFC_NO_SUPPORT) "
        "NOTIFY(NON_FIRST_FRAGS)",
        icert ? "CERT " : "", obs.certreq_from_initiator.empty() ? "" : "CERTREQ ");
    idr = I.personality->idr(n, I);
    if (!send_id(I, &iprof, isigns ? ichoice : kNone, Message::IKE_AUTH, iid)) return false;
    iid_sent = true;
    return true;
  }

  // IKE_AUTH request on the responder. V2-9: it binds the last profile that matches IDi;
  // V2-5 / V2-6 / V2-8: validation against the profile's verify trustpoints, or all.
  bool ike_auth_process_r() {
    const Step at = step(Message::IKE_AUTH, Role::Responder);
    if (at.idr_received && !R.personality->parses_idr(*at.idr_received)) {
      trace("IKEv2: IDr {}/{} is an ID type IKEv2 does not define (ID_IPV4_ADDR_SUBNET): sending INVALID_SYNTAX",
            at.idr_received->value, at.idr_received->mask);
      return fail(Message::IKE_AUTH, Reason::InvalidSyntax);
    }
    obs.responder_profile = R.personality->bind_profile(n, R, at, iid);
    if (obs.responder_profile == kUndecided) return undecided_profile(Message::IKE_AUTH);
    if (obs.responder_profile == kNone) {
      trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
      return fail(Message::IKE_AUTH, Reason::NoMatchingProfile);
    }
    rprof = &R.peer->profiles[static_cast<std::size_t>(obs.responder_profile)];
    if (const auto why = R.personality->refuses_before_method(n, R, at, iid)) {
      if (*why == Reason::NoMatchingProfile) obs.responder_profile = kNone;
      trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
      return fail(Message::IKE_AUTH, *why);
    }
    if (rprof->auth_remote != iprof.auth_local) {
      trace("IKEv2:(SA ID = 1):Peer's authentication method does not match profile '{}'", rprof->name);
      trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
      return fail(Message::IKE_AUTH, Reason::AuthMethodMismatch);
    }
    if (isigns) {
      trace("IKEv2:(SA ID = 1):Peer's authentication method is 'RSA'");
      if (!validate(R, at, rprof, I, ichoice, icert)) return fail(Message::IKE_AUTH, Reason::CertValidationFailed);
    }
    return true;
  }

  // IKE_AUTH response. V2-13: the responder picks its own certificate with the bound profile known.
  bool ike_auth_build_r() {
    const Step at = step(Message::IKE_AUTH, Role::Responder);
    bool rcert = false;
    if (rprof->auth_local == AuthMethod::RsaSig) {
      rchoice = R.personality->choose_certificate(n, R, at, rprof);
      if (rchoice == kDeferred) rchoice = kNone;
      obs.responder_trustpoint = rchoice;
      if (rchoice == kNone) {
        trace("IKEv2:(SA ID = 1):Failed to build certificate payload");
        return fail(Message::IKE_AUTH, Reason::NoCertificatePayload);
      }
      rcert = sends_cert(R, at);
      if (rcert) cert_sent_by(Role::Responder, R, rchoice);
      else obs.responder_trustpoint = kNone;
    }
    trace(
        "IKEv2 IKE_AUTH Exchange RESPONSE Payload contents: VID IDr {}AUTH SA TSi TSr NOTIFY(SET_WINDOW_SIZE) "
        "NOTIFY(ESP_TFC_NO_SUPPORT) NOTIFY(NON_FIRST_FRAGS)",
        rcert ? "CERT " : "");
    if (!send_id(R, rprof, rprof->auth_local == AuthMethod::RsaSig ? rchoice : kNone, Message::IKE_AUTH, rid))
      return false;
    rid_sent = true;
    return true;
  }

  // IKE_AUTH response on the initiator: the method its profile expects, IDr against the tunnel's
  // profile (IOS always keeps it; strongSwan checks remote.id), then V2-8 validation.
  bool ike_auth_process_i() {
    const Step at = step(Message::IKE_AUTH, Role::Initiator);
    if (const auto why = I.personality->refuses_before_method(n, I, at, rid)) return fail(Message::IKE_AUTH, *why);
    if (iprof.auth_remote != rprof->auth_local) {
      trace("IKEv2:(SA ID = 1):Peer's authentication method does not match profile '{}'", iprof.name);
      return fail(Message::IKE_AUTH, Reason::AuthMethodMismatch);
    }
    if (I.personality->bind_profile(n, I, at, rid) == kNone) return fail(Message::IKE_AUTH, Reason::NoMatchingProfile);
    if (rprof->auth_local == AuthMethod::RsaSig && !validate(I, at, &iprof, R, rchoice, cert_from_responder != kNone))
      return fail(Message::IKE_AUTH, Reason::CertValidationFailed);
    obs.ike_sa = SaResult::Established;
    return true;
  }

  // V2-10: a profile other than the tunnel's finds no IPsec policy for the traffic selectors.
  void child_sa() { conclude_child_sa(obs, R, trace, IkeVersion::V2); }
};

}  // namespace

Observation run_ikev2(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o) {
  return Ikev2Exchange(cs, initiator, o).run();
}

}  // namespace ikeconform
