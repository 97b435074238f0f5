// Two sides' reports -> one Observation.
#include "drivers/stack/stack.hpp"

#include <cctype>
#include <thread>

namespace ikeconform::stack {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::None: return "none";
    case Verdict::NoProposal: return "no-proposal";
    case Verdict::NoSharedKey: return "no-shared-key";
    case Verdict::IdentityRejected: return "identity-rejected";
    case Verdict::NoProfile: return "no-profile";
    case Verdict::RejectedPeer: return "rejected-peer";
    case Verdict::GotAuthFailed: return "got-authentication-failed";
    case Verdict::NoPrivateKey: return "no-private-key";
    case Verdict::GaveUp: return "gave-up";
    case Verdict::InvalidSyntax: return "invalid-syntax";
  }
  return "?";
}

namespace {

bool v2(const Scenario& s) { return s.ike_version == IkeVersion::V2; }

// Which message carried the certificate that was refused: the initiator's (MM5) or the
// responder's (MM6). IKEv2 has both in IKE_AUTH.
Message auth_message(const Scenario& s, bool initiator_refused) {
  if (v2(s)) return Message::IKE_AUTH;
  return initiator_refused ? Message::MM5 : Message::MM6;
}

void fail(Observation& o, Message at, Reason why) {
  o.ike_sa = SaResult::Failed;
  o.failed_at = at;
  o.reason = why;
}

// The message a side's verdict concerns: the side's own word when it gives one.
Message at(const SideReport& side, Message fallback) {
  return side.verdict_at != Message::None ? side.verdict_at : fallback;
}

void classify_ike_failure(const Scenario& s, const SideReport& ini, const SideReport& res, Observation& o) {
  if (ini.verdict == Verdict::NoProposal || res.verdict == Verdict::NoProposal) {
    const SideReport& said = ini.verdict == Verdict::NoProposal ? ini : res;
    return fail(o, at(said, v2(s) ? Message::IKE_SA_INIT : Message::MM2), Reason::NoProposalChosen);
  }
  // IKEv1 main mode needs the key for SKEYID: the responder looks it up on MM3, the initiator on MM4.
  // A request refused as malformed is refused before anything in it is looked at.
  if (res.verdict == Verdict::InvalidSyntax || ini.verdict == Verdict::InvalidSyntax)
    return fail(o, auth_message(s, true), Reason::InvalidSyntax);
  if (res.verdict == Verdict::NoSharedKey)
    return fail(o, at(res, v2(s) ? Message::IKE_AUTH : Message::MM3), Reason::AuthMethodMismatch);
  if (ini.verdict == Verdict::NoSharedKey)
    return fail(o, at(ini, v2(s) ? Message::IKE_AUTH : Message::MM4), Reason::AuthMethodMismatch);
  if (res.verdict == Verdict::IdentityRejected)
    return fail(o, at(res, auth_message(s, true)), Reason::NoMatchingProfile);
  if (ini.verdict == Verdict::IdentityRejected)
    return fail(o, at(ini, auth_message(s, false)), Reason::NoMatchingProfile);
  if (res.verdict == Verdict::NoProfile) return fail(o, at(res, auth_message(s, true)), Reason::NoMatchingProfile);
  // An initiator whose connection does not take the responder's ID (pluto: "Peer ID '…'
  // mismatched on first found connection" on a connection that checks nothing else first).
  if (ini.verdict == Verdict::NoProfile) return fail(o, at(ini, auth_message(s, false)), Reason::NoMatchingProfile);
  if (res.verdict == Verdict::RejectedPeer) return fail(o, auth_message(s, true), Reason::CertValidationFailed);
  // The responder's own missing key is why the initiator got AUTHENTICATION_FAILED.
  if (res.verdict == Verdict::NoPrivateKey) return fail(o, auth_message(s, false), Reason::NoCertificatePayload);
  if (ini.verdict == Verdict::GotAuthFailed) return fail(o, auth_message(s, true), Reason::CertValidationFailed);
  if (ini.verdict == Verdict::NoPrivateKey) {
    // The initiator's ID never went out: whatever connection the responder answered the first
    // exchange on (Libreswan logs one), it bound no profile from an ID (V1-8 / V2-9). The
    // AUTHENTICATION_FAILED the responder may have received (pluto's IKEv1 initiator sends one
    // instead of MM5) is this, not a refused certificate.
    o.responder_profile = kNone;
    return fail(o, at(ini, auth_message(s, true)), Reason::NoCertificatePayload);
  }
  if (ini.verdict == Verdict::RejectedPeer || res.verdict == Verdict::GotAuthFailed)
    return fail(o, auth_message(s, false), Reason::CertValidationFailed);
  if (!ini.heard_peer) return fail(o, v2(s) ? Message::IKE_SA_INIT : Message::MM1, Reason::PeerUnreachable);
  fail(o, Message::None, Reason::InternalError);  // answered, but not in words we know: see the trace
}

void classify_child(const Scenario& s, const SideReport& ini, const SideReport& res, Observation& o) {
  if (!ini.child_observable || !res.child_observable) {
    o.child_sa = SaResult::NotAttempted;
    return;
  }
  if (ini.child_installed) {
    o.child_sa = SaResult::Established;
    return;
  }
  o.child_sa = SaResult::Failed;
  o.failed_at = v2(s) ? Message::IKE_AUTH : Message::QM1;
  // IKEv1 quick mode has no TS_UNACCEPTABLE: the same refusal is INVALID_ID_INFORMATION there.
  const Reason ts = v2(s) ? Reason::TsUnacceptable : Reason::InvalidIdInformation;
  o.reason = ini.child_ts_unacceptable || res.child_ts_unacceptable ? ts
             : ini.child_no_proposal || res.child_no_proposal       ? Reason::NoProposalChosen
                                                                    : Reason::InternalError;
}

}  // namespace

Observation combine(const Scenario& s, std::uint8_t initiator, const SideReport& ini, const SideReport& res,
                    const std::string& harness_error) {
  Observation o;
  o.initiator = initiator;
  o.ike_version = s.ike_version;
  o.certreq_from_initiator = ini.certreqs_sent;
  o.certreq_from_responder = res.certreqs_sent;
  o.initiator_trustpoint = ini.cert_sent;
  o.responder_trustpoint = res.cert_sent;
  o.responder_profile = res.bound_profile;
  o.trace = ini.trace;
  o.trace.insert(o.trace.end(), res.trace.begin(), res.trace.end());
  if (!harness_error.empty() || !ini.alive || !res.alive || !ini.refused.empty() || !res.refused.empty()) {
    o.ike_sa = ini.ike_established ? SaResult::Established : SaResult::Failed;
    o.reason = Reason::InternalError;
    if (!harness_error.empty()) o.trace.push_back("harness: " + harness_error);
    for (const SideReport* side : {&ini, &res})
      if (!side->refused.empty()) o.trace.push_back("harness: the stack refused our configuration: " + side->refused);
    return o;
  }
  if (!ini.ike_established) {
    classify_ike_failure(s, ini, res, o);
    return o;
  }
  o.ike_sa = SaResult::Established;
  classify_child(s, ini, res, o);
  return o;
}

void PeerStack::wait(std::chrono::microseconds d) { std::this_thread::sleep_for(d); }

std::string rendering_name(const Scenario& s, std::size_t peer, std::string_view suffix) {
  std::string name = s.peers.at(peer).name;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return name + "." + std::string(suffix);
}

}  // namespace ikeconform::stack
