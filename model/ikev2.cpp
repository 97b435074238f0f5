// IKEv2 with RSA signatures (RFC 7296 §1.2), exchange by exchange, spec section 3.
#include "model/engine.hpp"
#include "model/personality.hpp"

namespace ikeconform {
namespace {

struct Ikev2 {
  const CompiledScenario& cs;
  const ModelOptions& o;
  Observation obs;
  Trace trace;
  Negotiation n;
  const PeerCtx& I;
  const PeerCtx& R;
  const Profile& iprof;

  Ikev2(const CompiledScenario& c, std::uint8_t ini, const ModelOptions& opt)
      : cs(c),
        o(opt),
        obs(),
        trace(nullptr),
        n{c, opt, trace, IkeVersion::V2, &obs},
        I(c.peers[ini]),
        R(c.peers[1 - ini]),
        iprof(c.peers[ini].tunnel_profile()) {
    obs.initiator = ini;
    obs.ike_version = IkeVersion::V2;
    if (o.trace) trace = Trace(&obs.trace);
  }

  Observation fail(Message at, Reason why) {
    obs.ike_sa = SaResult::Failed;
    obs.failed_at = at;
    obs.reason = why;
    return std::move(obs);
  }

  // Whether `sender` puts its CERT into IKE_AUTH, given the CERTREQs it received.
  bool sends_cert(const PeerCtx& sender, Role role, const CertReqList& received, const PeerCtx& requester) {
    const Role other = role == Role::Initiator ? Role::Responder : Role::Initiator;
    const bool asked = !received.empty() || requester.personality->sends_empty_certreq(n, requester, other);
    if (sender.personality->sends_certificate(n, sender, role, asked)) return true;
    trace("IKEv2:(SA ID = 1):No CERT payload: {} was not asked for a certificate", sender.peer->name);
    return false;
  }

  // V2-8: what the side that rejects the certificate logs and sends.
  bool validate(const PeerCtx& verifier, const Profile* profile, const PeerCtx& sender, TpIndex sent, bool cert_sent = true) {
    if (!cert_sent) {  // AUTH signed, but no certificate to verify it with
      trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] No certificate received from {}", sender.peer->address);
      trace("IKEv2:(SA ID = 1):Verification of peer's authentication data FAILED");
      trace("IKEv2:(SA ID = 1):Building packet for encryption. Payload contents: NOTIFY(AUTHENTICATION_FAILED)");
      return false;
    }
    TpList list;
    verifier.personality->validation_list(n, verifier, profile, list);
    // Only build the name list when tracing: campaigns run with the trace off (bench/).
    if (trace.on())
      trace("IKEv2:(SA ID = 1):[IKEv2 -> PKI] Validating certificate chain (validation list: {})", join_tp_names(n, verifier, list));
    if (check_certificate(verifier, list, sender, sent) == CertCheck::Ok) {
      trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Validation of certificate chain PASSED");
      return true;
    }
    trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Validation of certificate chain FAILED");
    trace("IKEv2:(SA ID = 1):Verification of peer's authentication data FAILED");
    trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
    trace("IKEv2:(SA ID = 1):Building packet for encryption. Payload contents: NOTIFY(AUTHENTICATION_FAILED)");
    return false;
  }

  Observation run() {
    const Peer& ip = *I.peer;
    const Peer& rp = *R.peer;
    // V2-1: the IKE_SA_INIT request carries no CERTREQ.
    trace("IKEv2 IKE_SA_INIT Exchange REQUEST Payload contents: SA KE N VID VID NOTIFY(NAT_DETECTION_SOURCE_IP) "
          "NOTIFY(NAT_DETECTION_DESTINATION_IP)");
    if (!proposals_agree(ip, rp)) {
      trace("IKEv2:(SA ID = 1):Sending no proposal chosen notify");
      return fail(Message::IKE_SA_INIT, Reason::NoProposalChosen);
    }
    const bool isigns = iprof.auth_local == AuthMethod::RsaSig;
    // V2-2: the responder does not know its profile yet and asks for every trustpoint.
    R.personality->build_certreq(n, R, Role::Responder, nullptr, obs.certreq_from_responder);
    trace("IKEv2 IKE_SA_INIT Exchange RESPONSE Payload contents: SA KE N VID VID NOTIFY(NAT_DETECTION_SOURCE_IP) "
          "NOTIFY(NAT_DETECTION_DESTINATION_IP) CERTREQ NOTIFY(HTTP_CERT_LOOKUP_SUPPORTED)");
    if (trace.on())
      for (const CertReq& c : obs.certreq_from_responder) trace("IKEv2: CERTREQ hash of CA {}", n.ca_dn(c.ca));

    // V2-3 / V2-4: the initiator picks its certificate among its profile's sign trustpoints.
    TpIndex ichoice = kNone;
    bool icert = isigns;
    if (isigns) {
      ichoice = I.personality->choose_certificate(n, I, Role::Initiator, &iprof, obs.certreq_from_responder);
      obs.initiator_trustpoint = ichoice;
      if (ichoice == kNone) {
        trace("IKEv2:(SA ID = 1):Failed to build certificate payload");
        return fail(Message::IKE_AUTH, Reason::NoCertificatePayload);
      }
      icert = sends_cert(I, Role::Initiator, obs.certreq_from_responder, R);
      if (!icert) obs.initiator_trustpoint = kNone;
    }
    // V2-7 / V2-12: IKE_AUTH request with CERT and the initiator's CERTREQ.
    if (iprof.auth_remote == AuthMethod::RsaSig)
      I.personality->build_certreq(n, I, Role::Initiator, &iprof, obs.certreq_from_initiator);
    trace("IKEv2:(SA ID = 1):Building packet for encryption. Payload contents: VID IDi {}{}NOTIFY(HTTP_CERT_LOOKUP_SUPPORTED) "
          "AUTH CFG SA TSi TSr NOTIFY(INITIAL_CONTACT) NOTIFY(SET_WINDOW_SIZE) NOTIFY(ESP_TFC_NO_SUPPORT) "
          "NOTIFY(NON_FIRST_FRAGS)",
          icert ? "CERT " : "", obs.certreq_from_initiator.empty() ? "" : "CERTREQ ");

    // V2-9: the responder binds the last profile that matches IDi.
    const PeerId iid = I.identity(iprof);
    obs.responder_profile = R.personality->bind_profile(n, R, iid);
    if (obs.responder_profile == kNone) {
      trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
      return fail(Message::IKE_AUTH, Reason::NoMatchingProfile);
    }
    const Profile& rprof = rp.profiles[static_cast<std::size_t>(obs.responder_profile)];
    if (rprof.auth_remote != iprof.auth_local) {
      trace("IKEv2:(SA ID = 1):Peer's authentication method does not match profile '{}'", rprof.name);
      trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
      return fail(Message::IKE_AUTH, Reason::AuthMethodMismatch);
    }
    if (isigns) {
      trace("IKEv2:(SA ID = 1):Peer's authentication method is 'RSA'");
      // V2-5 / V2-6 / V2-8: validation against the profile's verify trustpoints, or all.
      if (!validate(R, &rprof, I, ichoice, icert)) return fail(Message::IKE_AUTH, Reason::CertValidationFailed);
    }

    // V2-13: the responder picks its own certificate with the bound profile known.
    const bool rsigns = rprof.auth_local == AuthMethod::RsaSig;
    TpIndex rchoice = kNone;
    bool rcert = rsigns;
    if (rsigns) {
      rchoice = R.personality->choose_certificate(n, R, Role::Responder, &rprof, obs.certreq_from_initiator);
      obs.responder_trustpoint = rchoice;
      if (rchoice == kNone) {
        trace("IKEv2:(SA ID = 1):Failed to build certificate payload");
        return fail(Message::IKE_AUTH, Reason::NoCertificatePayload);
      }
      rcert = sends_cert(R, Role::Responder, obs.certreq_from_initiator, I);
      if (!rcert) obs.responder_trustpoint = kNone;
    }
    trace("IKEv2 IKE_AUTH Exchange RESPONSE Payload contents: VID IDr {}AUTH SA TSi TSr NOTIFY(SET_WINDOW_SIZE) "
          "NOTIFY(ESP_TFC_NO_SUPPORT) NOTIFY(NON_FIRST_FRAGS)",
          rcert ? "CERT " : "");
    if (iprof.auth_remote != rprof.auth_local) {
      trace("IKEv2:(SA ID = 1):Peer's authentication method does not match profile '{}'", iprof.name);
      return fail(Message::IKE_AUTH, Reason::AuthMethodMismatch);
    }
    if (rsigns && !validate(I, &iprof, R, rchoice, rcert)) return fail(Message::IKE_AUTH, Reason::CertValidationFailed);
    obs.ike_sa = SaResult::Established;

    // V2-10: a profile other than the tunnel's finds no IPsec policy for the traffic selectors.
    conclude_child_sa(obs, R, trace, IkeVersion::V2);
    return std::move(obs);
  }
};

}  // namespace

Observation run_ikev2(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o) {
  Ikev2 e(cs, initiator, o);
  return e.run();
}

}  // namespace ikeconform
