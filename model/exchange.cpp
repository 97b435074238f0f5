#include "model/exchange.hpp"

namespace ikeconform {

const CertReqList& Step::received() const {
  static const CertReqList kEmpty;
  return certreqs_received ? *certreqs_received : kEmpty;
}

Exchange::Exchange(const CompiledScenario& c, std::uint8_t ini, const ModelOptions& opt, IkeVersion v)
    : cs(c),
      o(opt),
      obs(),
      trace(nullptr),
      n{c, opt, trace, v},
      I(c.peers[ini]),
      R(c.peers[1 - ini]),
      iprof(c.peers[ini].tunnel_profile()) {
  obs.initiator = ini;
  obs.ike_version = v;
  if (o.trace) trace = Trace(&obs.trace);
}

bool Exchange::fail(Message at, Reason why) {
  obs.ike_sa = SaResult::Failed;
  obs.failed_at = at;
  obs.reason = why;
  return false;
}

Step Exchange::step(Message m, Role role) const {
  Step s;
  s.message = m;
  s.role = role;
  if (role == Role::Initiator) {
    s.certreqs_received = &obs.certreq_from_responder;
    s.peer_cert_issuer = cert_from_responder;
    s.peer_cert = cert_obj_from_responder;
    s.peer_id = rid_sent ? &rid : nullptr;
  } else {
    s.certreqs_received = &obs.certreq_from_initiator;
    s.peer_cert_issuer = cert_from_initiator;
    s.peer_cert = cert_obj_from_initiator;
    s.peer_id = iid_sent ? &iid : nullptr;
    s.idr_received = idr ? &*idr : nullptr;
  }
  return s;
}

bool Exchange::sends_cert(const PeerCtx& sender, const Step& at) {
  const bool asked = at.role == Role::Initiator ? certreq_payload_from_responder : certreq_payload_from_initiator;
  if (sender.personality->sends_certificate(n, sender, at, asked)) return true;
  if (n.version == IkeVersion::V1)
    trace("ISAKMP:(0): no CERT payload: {} was not asked for a certificate", sender.peer->name);
  else trace("IKEv2:(SA ID = 1):No CERT payload: {} was not asked for a certificate", sender.peer->name);
  return false;
}

bool Exchange::validate(const PeerCtx& verifier, const Step& at, const Profile* profile, const PeerCtx& sender,
                        TpIndex sent, bool cert_sent) {
  const bool v1 = n.version == IkeVersion::V1;
  if (!cert_sent) {  // a signature without a certificate: nothing to verify it with
    if (v1) {
      trace("CRYPTO_PKI: no certificate received from {}", sender.peer->address);
      trace("ISAKMP:(0): Unknown error in cert validation, -1");
    } else {
      trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] No certificate received from {}", sender.peer->address);
      trace("IKEv2:(SA ID = 1):Verification of peer's authentication data FAILED");
      trace("IKEv2:(SA ID = 1):Building packet for encryption. Payload contents: NOTIFY(AUTHENTICATION_FAILED)");
    }
    return false;
  }
  TpList list;
  verifier.personality->validation_list(n, verifier, at, profile, list);
  // Only build the name list when tracing: campaigns run with the trace off (bench/).
  if (trace.on()) {
    if (v1) trace("ISAKMP:(0): Creating CERT validation list: {}", join_tp_names(n, verifier, list));
    else
      trace("IKEv2:(SA ID = 1):[IKEv2 -> PKI] Validating certificate chain (validation list: {})",
            join_tp_names(n, verifier, list));
  }
  const CertCheck check = check_certificate(verifier, list, sender, sent);
  if (!v1) {  // V2-8: what the side that rejects the certificate logs and sends
    if (check == CertCheck::Ok) {
      trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Validation of certificate chain PASSED");
      return true;
    }
    trace("IKEv2:(SA ID = 1):[PKI -> IKEv2] Validation of certificate chain FAILED");
    trace("IKEv2:(SA ID = 1):Verification of peer's authentication data FAILED");
    trace("IKEv2:(SA ID = 1):Sending authentication failure notify");
    trace("IKEv2:(SA ID = 1):Building packet for encryption. Payload contents: NOTIFY(AUTHENTICATION_FAILED)");
    return false;
  }
  switch (check) {  // V1-10
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
  trace(
      "%CRYPTO-5-IKMP_INVAL_CERT: Certificate received from {} is bad: unknown error returned in certificate "
      "validation",
      sender.peer->address);
  trace("ISAKMP:(0): Unknown error in cert validation, -1");
  return false;
}

}  // namespace ikeconform
