// IKEv1 main mode with RSA signatures (RFC 2409 §5.1), spec section 2: one function per message
// and role (`mm3_build_i` builds MM3 on the initiator, `mm3_process_r` reads it on the responder),
// each asking the personality what it decides at that point. The trace reuses the note's debug lines.
#include "model/exchange.hpp"

namespace ikeconform {
namespace {

class MainMode final : Exchange {
 public:
  MainMode(const CompiledScenario& c, std::uint8_t ini, const ModelOptions& opt)
      : Exchange(c, ini, opt, IkeVersion::V1) {}

  Observation run() {
    if (backed_by_personalities(Message::MM1) && mm1_mm2() && mm3_build_i() && mm3_process_r() && mm4_build_r() &&
        mm4_process_i() && mm5_build_i() && mm5_process_r() && mm6_build_r() && mm6_process_i())
      quick_mode();
    return std::move(obs);
  }

 private:
  bool certs = true;            // false with pre-shared keys: no certificate payloads (section 7)
  TpIndex ichoice = kNone;      // the initiator's certificate (its trustpoint)
  TpIndex rchoice = kDeferred;  // the responder's
  bool icert = false;           // the initiator's MM5 carries its certificate
  const Profile* rprof = nullptr;

  void trace_certreqs(const char* who, const CertReqList& l) {
    if (!trace.on()) return;
    for (const CertReq& c : l) trace("ISAKMP ({}): constructing CERT_REQ for issuer {}", who, n.ca_dn(c.ca));
  }

  void trace_id(const PeerId& id) {
    if (!trace.on()) return;
    trace("ISAKMP:(0): processing ID payload. message ID = 0");
    // V1-11: FQDN is ID type 2, protocol 17 (UDP), port 500.
    // A DN is ID type 9 (ID_DER_ASN1_DN), an e-mail address type 3 (ID_USER_FQDN; RFC 2407 §4.6.2.1).
    switch (id.kind) {
      case IdKind::Fqdn:
        trace("ISAKMP (0): ID payload next-payload : 6 type : 2 FQDN name : {} protocol : 17 port : 500", id.value);
        break;
      case IdKind::Dn:
        trace("ISAKMP (0): ID payload next-payload : 6 type : 9 Dist. name : {} protocol : 17 port : 500", id.value);
        break;
      case IdKind::Email:
        trace("ISAKMP (0): ID payload next-payload : 6 type : 3 USER FQDN : {} protocol : 17 port : 500", id.value);
        break;
      case IdKind::Address:
        trace("ISAKMP (0): ID payload next-payload : 6 type : 1 address : {} protocol : 17 port : 500", id.value);
        break;
    }
  }

  void trace_cert_sent(const PeerCtx& p, TpIndex tp) {
    if (!trace.on()) return;
    const IdentityCert& c = p.certificate(tp);
    trace("ISAKMP (0): constructing CERT payload for {}",
          c.subject.empty() ? "hostname=" + p.peer->fqdn + ",cn=" + p.peer->name : c.subject);
    trace("ISAKMP:(0): using the {} trustpoint's keypair to sign", n.tp_name(p, tp));
  }

  // A CERT_REQ step of `who` in message `m` (V1-2 / V1-3): appends to the observation's list.
  bool certreq(const PeerCtx& who, Role role, Message m, const Profile* profile) {
    CertReqList& out = role == Role::Initiator ? obs.certreq_from_initiator : obs.certreq_from_responder;
    const bool payload = who.personality->certreq(n, who, step(m, role), profile, out);
    (role == Role::Initiator ? certreq_payload_from_initiator : certreq_payload_from_responder) |= payload;
    return payload;
  }

  // MM1 / MM2 (V1-1): agree on a policy; the authentication method is part of it (RFC 2409 §5).
  bool mm1_mm2() {
    const Peer& rp = *R.peer;
    trace("ISAKMP:(0): SA request profile is {}", iprof.name);
    if (cs.scenario->aggressive_mode) {  // section 7
      trace("ISAKMP: aggressive mode is not modelled (spec section 7)");
      return fail(Message::MM1, Reason::Unsupported);
    }
    // A personality that picks its signing key before MM1 (strongSwan: the signature method
    // comes from the private key's type) decides here; IOS and Libreswan defer to MM4.
    if (iprof.auth_local == AuthMethod::RsaSig &&
        I.personality->choose_certificate(n, I, step(Message::MM1, Role::Initiator), &iprof) == kNone) {
      trace("ISAKMP:(0): no certificate to sign with: nothing sent");
      return fail(Message::MM1, Reason::NoCertificatePayload);
    }
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (I) MM_NO_STATE", rp.address);
    if (!proposals_agree(*I.peer, rp)) {
      trace("ISAKMP:(0):atts are not acceptable. Next payload is 0");
      trace("%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at {}", I.peer->address);
      return fail(Message::MM2, Reason::NoProposalChosen);
    }
    // The proposal carries the authentication method: the responder answers MM1 only with a
    // profile that takes it (no ID is known yet).
    if (R.personality->bind_profile(n, R, step(Message::MM1, Role::Responder), PeerId{}) == kNone) {
      trace("ISAKMP:(0):atts are not acceptable. Next payload is 0 (authentication method)");
      return fail(Message::MM2, Reason::NoProposalChosen);
    }
    certs = iprof.auth_local == AuthMethod::RsaSig;
    return true;
  }

  // MM3 (initiator): KE, Nonce and, with IOS, the CERT_REQs of its profile or of every global
  // trustpoint (V1-2, V1-12).
  bool mm3_build_i() {
    if (certs) certreq(I, Role::Initiator, Message::MM3, &iprof);
    trace_certreqs("0", obs.certreq_from_initiator);
    trace("ISAKMP:(0):Old State = IKE_I_MM2 New State = IKE_I_MM3");
    return true;
  }

  // MM3 (responder): reads the CERT_REQs; IOS chooses its certificate now, before any profile
  // is bound (V1-5); strongSwan and Libreswan defer to MM6. With a pre-shared key, SKEYID needs
  // the key now, before any ID: asked of bind_profile with no ID (strongSwan holds none unless a
  // profile uses one).
  bool mm3_process_r() {
    if (!certs) {
      if (R.personality->bind_profile(n, R, step(Message::MM3, Role::Responder), PeerId{}) != kNone) return true;
      trace("ISAKMP:(0): no pre-shared key for peer {}", I.peer->address);
      return fail(Message::MM3, Reason::AuthMethodMismatch);
    }
    rchoice = R.personality->choose_certificate(n, R, step(Message::MM3, Role::Responder), nullptr);
    if (rchoice != kDeferred) obs.responder_trustpoint = rchoice;
    return true;
  }

  // MM4 (responder): it cannot know its profile yet, so it requests every global trustpoint (V1-3).
  bool mm4_build_r() {
    if (certs) certreq(R, Role::Responder, Message::MM4, nullptr);
    trace_certreqs("R", obs.certreq_from_responder);
    trace("ISAKMP:(0):Old State = IKE_R_MM3 New State = IKE_R_MM4");
    return true;
  }

  // MM4 (initiator): picks its certificate by first match (V1-5, V1-6, V1-7).
  bool mm4_process_i() {
    if (!certs) return true;
    ichoice = I.personality->choose_certificate(n, I, step(Message::MM4, Role::Initiator), &iprof);
    if (ichoice == kDeferred) ichoice = kNone;  // MM5 carries it: no later point to decide
    obs.initiator_trustpoint = ichoice;
    if (ichoice == kNone) {
      trace("ISAKMP:(0): no certificate to send: no usable identity certificate");
      return fail(Message::MM5, Reason::NoCertificatePayload);
    }
    return true;
  }

  // MM5 (initiator): ID, CERT, SIG (strongSwan and Libreswan also send their CERT_REQs here).
  bool mm5_build_i() {
    const Step at = step(Message::MM5, Role::Initiator);
    icert = certs && sends_cert(I, at);
    if (certs && !icert) obs.initiator_trustpoint = kNone;
    if (!send_id(I, &iprof, certs ? ichoice : kNone, Message::MM5, iid)) return false;
    iid_sent = true;
    if (icert) {
      trace_cert_sent(I, ichoice);
      cert_sent_by(Role::Initiator, I, ichoice);
    }
    if (certs) {
      const std::size_t before = obs.certreq_from_initiator.size();
      if (certreq(I, Role::Initiator, Message::MM5, &iprof)) {
        CertReqList added(obs.certreq_from_initiator.begin() + static_cast<std::ptrdiff_t>(before),
                          obs.certreq_from_initiator.end());
        trace_certreqs("0", added);
      }
    }
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (I) MM_KEY_EXCH", R.peer->address);
    return true;
  }

  // MM5 (responder): binds its profile from the IKE ID (V1-8), then validates (V1-9, V1-10, V1-15).
  bool mm5_process_r() {
    const Step at = step(Message::MM5, Role::Responder);
    trace_id(iid);
    obs.responder_profile = R.personality->bind_profile(n, R, at, iid);
    if (obs.responder_profile == kUndecided) return undecided_profile(Message::MM5);
    if (obs.responder_profile == kNone) {
      if (!R.personality->ikev1_unmatched_uses_global()) return fail(Message::MM5, Reason::NoMatchingProfile);
      // The global configuration: the method the policy agreed at MM1, every global trustpoint.
      trace("ISAKMP:(0): no profile bound: continuing with the global configuration");
      if (certs && !validate(R, at, nullptr, I, ichoice, icert))
        return fail(Message::MM5, Reason::CertValidationFailed);
      return true;
    }
    rprof = &R.peer->profiles[static_cast<std::size_t>(obs.responder_profile)];
    if (rprof->auth_remote != iprof.auth_local) {
      trace("ISAKMP:(0): profile {} expects another authentication method", rprof->name);
      return fail(Message::MM5, Reason::AuthMethodMismatch);
    }
    if (certs && !validate(R, at, rprof, I, ichoice, icert)) return fail(Message::MM5, Reason::CertValidationFailed);
    return true;
  }

  // MM6 (responder): its ID, CERT, SIG; a personality that deferred its choice decides now,
  // with the bound profile known.
  bool mm6_build_r() {
    bool rcert = certs;
    if (certs) {
      const Step at = step(Message::MM6, Role::Responder);
      if (rchoice == kDeferred) rchoice = R.personality->choose_certificate(n, R, at, rprof);
      if (rchoice == kDeferred) rchoice = kNone;
      obs.responder_trustpoint = rchoice;
      if (rchoice == kNone) {
        trace("ISAKMP:(0): no certificate to send: no usable identity certificate");
        return fail(Message::MM6, Reason::NoCertificatePayload);
      }
      rcert = sends_cert(R, at);
      if (rcert) {
        trace_cert_sent(R, rchoice);
        cert_sent_by(Role::Responder, R, rchoice);
      } else {
        obs.responder_trustpoint = kNone;
      }
    }
    if (!send_id(R, rprof, certs ? rchoice : kNone, Message::MM6, rid)) return false;
    rid_sent = true;
    trace("ISAKMP:(0): sending packet to {} my_port 500 peer_port 500 (R) MM_KEY_EXCH", I.peer->address);
    return true;
  }

  // MM6 (initiator): the responder's ID must fit the tunnel's profile (IOS always keeps it;
  // strongSwan checks remote.id first), then validates the responder's certificate against its
  // own profile (V1-9, V1-10).
  bool mm6_process_i() {
    const Step at = step(Message::MM6, Role::Initiator);
    trace_id(rid);
    if (I.personality->bind_profile(n, I, at, rid) == kNone) return fail(Message::MM6, Reason::NoMatchingProfile);
    if (certs && !validate(I, at, &iprof, R, rchoice, cert_from_responder != kNone))
      return fail(Message::MM6, Reason::CertValidationFailed);
    trace("ISAKMP:(0):Old State = IKE_I_MM6 New State = IKE_P1_COMPLETE");
    obs.ike_sa = SaResult::Established;
    return true;
  }

  // Quick mode: the responder looks up the crypto map of the bound profile; a profile other than
  // the tunnel's finds no policy (V2-11: overlapping IKEv1 profiles fail like V2-10).
  void quick_mode() { conclude_child_sa(obs, R, trace, IkeVersion::V1); }
};

}  // namespace

Observation run_ikev1(const CompiledScenario& cs, std::uint8_t initiator, const ModelOptions& o) {
  return MainMode(cs, initiator, o).run();
}

}  // namespace ikeconform
