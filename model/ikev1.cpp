// IKEv1 main mode with RSA signatures (RFC 2409 §5.1), message by message, spec section 2.
// Each step names the message it builds or processes; the trace reuses the note's debug lines.
#include "model/engine.hpp"
#include "model/personality.hpp"

namespace ikeconform {
namespace {

struct Ikev1 {
  const CompiledScenario& cs;
  const ModelOptions& o;
  Observation obs;
  Trace trace;
  Negotiation n;
  const PeerCtx& I;
  const PeerCtx& R;
  const Profile& iprof;
  bool certs = true;  // false with pre-shared keys: no certificate payloads (section 7)

  Ikev1(const CompiledScenario& c, std::uint8_t ini, const ModelOptions& opt)
      : cs(c),
        o(opt),
        obs(),
        trace(nullptr),
        n{c, opt, trace, IkeVersion::V1, &obs},
        I(c.peers[ini]),
        R(c.peers[1 - ini]),
        iprof(c.peers[ini].tunnel_profile()) {
    obs.initiator = ini;
    obs.ike_version = IkeVersion::V1;
    if (o.trace) trace = Trace(&obs.trace);
  }

  Observation fail(Message at, Reason why) {
    obs.ike_sa = SaResult::Failed;
    obs.failed_at = at;
    obs.reason = why;
    return std::move(obs);
  }

  void trace_certreqs(const char* who, const CertReqList& l) {
    if (!trace.on()) return;
    for (const CertReq& c : l) trace("ISAKMP ({}): constructing CERT_REQ for issuer {}", who, n.ca_dn(c.ca));
  }

  void trace_id(const PeerId& id) {
    if (!trace.on()) return;
    trace("ISAKMP:(0): processing ID payload. message ID = 0");
    // V1-11: FQDN is ID type 2, protocol 17 (UDP), port 500.
    if (id.kind == IdKind::Fqdn)
      trace("ISAKMP (0): ID payload next-payload : 6 type : 2 FQDN name : {} protocol : 17 port : 500", id.value);
    else
      trace("ISAKMP (0): ID payload next-payload : 6 type : 1 address : {} protocol : 17 port : 500", id.value);
  }

  void trace_cert_sent(const PeerCtx& p, TpIndex tp) {
    if (!trace.on()) return;
    const IdentityCert& c = p.certificate(tp);
    trace("ISAKMP (0): constructing CERT payload for {}",
          c.subject.empty() ? "hostname=" + p.peer->fqdn + ",cn=" + p.peer->name : c.subject);
    trace("ISAKMP:(0): using the {} trustpoint's keypair to sign", n.tp_name(p, tp));
  }

  // Whether `sender` puts its certificate in MM5 / MM6, given the CERT_REQs it received.
  bool sends_cert(const PeerCtx& sender, Role role, const CertReqList& received, const PeerCtx& requester) {
    const Role other = role == Role::Initiator ? Role::Responder : Role::Initiator;
    const bool asked = !received.empty() || requester.personality->sends_empty_certreq(n, requester, other);
    if (sender.personality->sends_certificate(n, sender, role, asked)) return true;
    trace("ISAKMP:(0): no CERT payload: {} was not asked for a certificate", sender.peer->name);
    return false;
  }

  // V1-9 / V1-10: the verifier checks the received chain against its validation list.
  bool validate(const PeerCtx& verifier, const Profile* profile, const PeerCtx& sender, TpIndex sent, bool cert_sent = true) {
    if (!cert_sent) {  // a signature without a certificate: nothing to verify it with
      trace("CRYPTO_PKI: no certificate received from {}", sender.peer->address);
      trace("ISAKMP:(0): Unknown error in cert validation, -1");
      return false;
    }
    TpList list;
    verifier.personality->validation_list(n, verifier, profile, list);
    // Only build the name list when tracing: campaigns run with the trace off (bench/).
    if (trace.on()) trace("ISAKMP:(0): Creating CERT validation list: {}", join_tp_names(n, verifier, list));
    switch (check_certificate(verifier, list, sender, sent)) {
      case CertCheck::Ok:
        trace("CRYPTO_PKI: Certificate validation succeeded");
        trace("ISAKMP:(0):SA authentication status: authenticated");
        return true;
      case CertCheck::NoSuitableTrustpoint: trace("CRYPTO_PKI: No suitable trustpoints found"); break;
      case CertCheck::UnsupportedFeature:  // V1-13
        trace("CRYPTO_PKI: certificate uses a feature this router does not support");
        break;
      case CertCheck::Revoked: trace("CRYPTO_PKI: Certificate revoked"); break;
    }
    trace("%CRYPTO-5-IKMP_INVAL_CERT: Certificate received from {} is bad: unknown error returned in certificate validation",
          sender.peer->address);
    trace("ISAKMP:(0): Unknown error in cert validation, -1");
    return false;
  }

  Observation run() {
    const Peer& ip = *I.peer;
    const Peer& rp = *R.peer;
    trace("ISAKMP:(0): SA request profile is {}", iprof.name);
    if (cs.scenario->aggressive_mode) {  // section 7
      trace("ISAKMP: aggressive mode is not modelled (spec section 7)");
      return fail(Message::MM1, Reason::Unsupported);
    }
    // V1-1: MM1/MM2 agree on a policy; the authentication method is part of it (RFC 2409 §5).
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (I) MM_NO_STATE", rp.address);
    if (!proposals_agree(ip, rp)) {
      trace("ISAKMP:(0):atts are not acceptable. Next payload is 0");
      trace("%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at {}", ip.address);
      return fail(Message::MM2, Reason::NoProposalChosen);
    }
    const AuthMethod method = iprof.auth_local;
    bool responder_accepts = false;
    for (const Profile& p : rp.profiles) responder_accepts |= p.auth_remote == method;
    if (!responder_accepts) {
      trace("ISAKMP:(0):atts are not acceptable. Next payload is 0 (authentication method)");
      return fail(Message::MM2, Reason::NoProposalChosen);
    }
    certs = method == AuthMethod::RsaSig;

    // MM3: KE, Nonce and (IOS) the initiator's CERT_REQs (V1-2).
    if (certs && I.personality->ikev1_initiator_certreq_message() == Message::MM3)
      I.personality->build_certreq(n, I, Role::Initiator, &iprof, obs.certreq_from_initiator);
    trace_certreqs("0", obs.certreq_from_initiator);
    trace("ISAKMP:(0):Old State = IKE_I_MM2 New State = IKE_I_MM3");

    // The responder reads the MM3 CERT_REQs; IOS chooses its certificate now (V1-5).
    TpIndex rchoice = kNone;
    const bool chose_early = certs && !R.personality->ikev1_responder_chooses_after_binding();
    if (chose_early) {
      rchoice = R.personality->choose_certificate(n, R, Role::Responder, nullptr, obs.certreq_from_initiator);
      obs.responder_trustpoint = rchoice;
    }

    // MM4: the responder cannot know its profile yet, so it requests every global trustpoint (V1-3).
    if (certs) R.personality->build_certreq(n, R, Role::Responder, nullptr, obs.certreq_from_responder);
    trace_certreqs("R", obs.certreq_from_responder);
    trace("ISAKMP:(0):Old State = IKE_R_MM3 New State = IKE_R_MM4");

    // The initiator reads MM4 and picks its certificate by first match (V1-5, V1-6, V1-7).
    TpIndex ichoice = kNone;
    bool icert = certs;
    if (certs) {
      ichoice = I.personality->choose_certificate(n, I, Role::Initiator, &iprof, obs.certreq_from_responder);
      obs.initiator_trustpoint = ichoice;
      if (ichoice == kNone) {
        trace("ISAKMP:(0): no certificate to send: no usable identity certificate");
        return fail(Message::MM5, Reason::NoCertificatePayload);
      }
      icert = sends_cert(I, Role::Initiator, obs.certreq_from_responder, R);
      if (!icert) obs.initiator_trustpoint = kNone;
    }

    // MM5: ID, CERT, SIG (strongSwan also sends its CERT_REQs here).
    const PeerId iid = I.identity(iprof);
    if (icert) trace_cert_sent(I, ichoice);
    if (certs && I.personality->ikev1_initiator_certreq_message() == Message::MM5) {
      I.personality->build_certreq(n, I, Role::Initiator, &iprof, obs.certreq_from_initiator);
      trace_certreqs("0", obs.certreq_from_initiator);
    }
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (I) MM_KEY_EXCH", rp.address);

    // The responder binds its profile from the IKE ID (V1-8), then validates (V1-9, V1-10, V1-15).
    trace_id(iid);
    obs.responder_profile = R.personality->bind_profile(n, R, iid);
    if (obs.responder_profile == kNone) return fail(Message::MM5, Reason::NoMatchingProfile);
    const Profile& rprof = rp.profiles[static_cast<std::size_t>(obs.responder_profile)];
    if (rprof.auth_remote != method) {
      trace("ISAKMP:(0): profile {} expects another authentication method", rprof.name);
      return fail(Message::MM5, Reason::AuthMethodMismatch);
    }
    if (certs && !validate(R, &rprof, I, ichoice, icert)) return fail(Message::MM5, Reason::CertValidationFailed);

    // MM6: the responder's ID, CERT, SIG.
    bool rcert = certs;
    if (certs) {
      if (!chose_early)
        rchoice = R.personality->choose_certificate(n, R, Role::Responder, &rprof, obs.certreq_from_initiator);
      obs.responder_trustpoint = rchoice;
      if (rchoice == kNone) {
        trace("ISAKMP:(0): no certificate to send: no usable identity certificate");
        return fail(Message::MM6, Reason::NoCertificatePayload);
      }
      rcert = sends_cert(R, Role::Responder, obs.certreq_from_initiator, I);
      if (rcert) trace_cert_sent(R, rchoice);
      else obs.responder_trustpoint = kNone;
    }
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (R) MM_KEY_EXCH", ip.address);
    trace_id(R.identity(rprof));
    if (certs && !validate(I, &iprof, R, rchoice, rcert)) return fail(Message::MM6, Reason::CertValidationFailed);
    trace("ISAKMP:(0):Old State = IKE_I_MM6 New State = IKE_P1_COMPLETE");
    obs.ike_sa = SaResult::Established;

    // Quick mode: the responder looks up the crypto map of the bound profile; a profile other than
    // the tunnel's finds no policy (V2-11: overlapping IKEv1 profiles fail like V2-10).
    conclude_child_sa(obs, R, trace, IkeVersion::V1);
    return std::move(obs);
  }
};

}  // namespace

Observation run_ikev1(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o) {
  Ikev1 e(cs, initiator, o);
  return e.run();
}

}  // namespace ikeconform
