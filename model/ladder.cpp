#include "model/ladder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/engine.hpp"
#include "model/personality.hpp"

namespace ikeconform {
namespace {

std::vector<std::string> certreq_lines(const Scenario& s, std::size_t sender, const CertReqList& l) {
  std::vector<std::string> out;
  for (const CertReq& c : l)
    out.push_back(fmt::format("{} [{}]", ca_dn(s, c.ca), trustpoint_name(s, sender, c.trustpoint)));
  return out;
}

std::string certreq_payloads(const char* base, const CertReqList& l, const char* name) {
  return l.empty() ? base : fmt::format("{} {} x{}", base, name, l.size());
}

bool reached(const Observation& o, Message m) { return o.failed_at == Message::None || o.failed_at >= m; }

// The validation list the verifier used, by asking its personality again.
std::string validation_list_text(const Scenario& s, const ModelOptions& opt, std::size_t verifier,
                                 const Profile* profile) {
  CompiledScenario cs = compile(s, opt);
  Trace quiet(nullptr);
  Negotiation n{cs, opt, quiet, s.ike_version};
  TpList list;
  cs.peers[verifier].personality->validation_list(n, cs.peers[verifier], Step{}, profile, list);  // outside an exchange
  return join_tp_names(n, cs.peers[verifier], list);
}

const Profile* profile_at(const Peer& p, std::int16_t i) {
  return i < 0 ? nullptr : &p.profiles[static_cast<std::size_t>(i)];
}

// V1-5 vs V1-7: did a received CERT_REQ name the CA of the trustpoint `peer` sent from? If not,
// the certificate came from the fallback, and the explanation must say so (spec V1-7).
bool requested(const Scenario& s, std::size_t peer, TpIndex tp, const CertReqList& received) {
  if (tp < 0 || static_cast<std::size_t>(tp) >= s.peers[peer].trustpoints.size()) return true;
  const CaIndex ca = index_of(s.cas, s.peers[peer].trustpoints[static_cast<std::size_t>(tp)].ca, &Ca::id);
  return std::any_of(received.begin(), received.end(), [&](const CertReq& c) { return c.ca == ca; });
}

std::string how_chosen(const Scenario& s, std::size_t peer, TpIndex tp, const CertReqList& received, const char* rule) {
  if (requested(s, peer, tp, received)) return fmt::format("first match, {}", rule);
  return "fallback, V1-7: no CERT_REQ received names a CA it holds a certificate from";
}

std::string issuer_of(const Scenario& s, std::size_t peer, TpIndex tp) {
  if (tp < 0 || static_cast<std::size_t>(tp) >= s.peers[peer].trustpoints.size()) return "?";
  const std::string& ca = s.peers[peer].trustpoints[static_cast<std::size_t>(tp)].ca;
  const Ca* c = find_ca(s, ca);
  return c ? c->dn : ca;
}

}  // namespace

std::vector<LadderStep> ladder(const Scenario& s, const Observation& o, const ModelOptions& opt) {
  const std::size_t I = o.initiator, R = o.responder();
  const Peer& ip = s.peers[I];
  const Peer& rp = s.peers[R];
  const std::string itp = trustpoint_name(s, I, o.initiator_trustpoint);
  const std::string rtp = trustpoint_name(s, R, o.responder_trustpoint);
  const std::string rprof = profile_name(s, R, o.responder_profile);
  std::vector<LadderStep> steps;
  auto step = [&](std::string m, std::size_t from, std::string payloads) -> LadderStep& {
    steps.push_back({std::move(m), from, std::move(payloads), {}, {}, false});
    return steps.back();
  };
  auto mark = [&](Message at) {
    if (o.failed_at == at && !steps.empty()) steps.back().failed = true;
  };
  (void)opt;
  if (o.ike_version == IkeVersion::V1) {
    step("MM1", I, "SA");
    if (!reached(o, Message::MM2)) return mark(Message::MM1), steps;
    step("MM2", R, "SA").notes.push_back(o.failed_at == Message::MM2 ? "no acceptable ISAKMP policy" : "policy agreed");
    mark(Message::MM2);
    if (o.failed_at == Message::MM2 || o.failed_at == Message::MM1) return steps;
    auto& mm3 = step("MM3", I, certreq_payloads("KE NONCE", o.certreq_from_initiator, "CERT_REQ"));
    mm3.certreqs = certreq_lines(s, I, o.certreq_from_initiator);
    if (!rtp.empty())
      mm3.notes.push_back(fmt::format("{} chooses {} ({})", rp.name, rtp,
                                      how_chosen(s, R, o.responder_trustpoint, o.certreq_from_initiator, "V1-5")));
    auto& mm4 = step("MM4", R, certreq_payloads("KE NONCE", o.certreq_from_responder, "CERT_REQ"));
    mm4.certreqs = certreq_lines(s, R, o.certreq_from_responder);
    if (!itp.empty())
      mm4.notes.push_back(fmt::format("{} chooses {} ({})", ip.name, itp,
                                      how_chosen(s, I, o.initiator_trustpoint, o.certreq_from_responder, "V1-5/V1-6")));
    auto& mm5 = step("MM5", I, itp.empty() ? "ID SIG/HASH" : fmt::format("ID CERT({}) SIG", itp));
    if (!rprof.empty()) mm5.notes.push_back(fmt::format("{} binds profile {} (V1-8)", rp.name, rprof));
    else if (rp.personality == kCiscoIos &&
             (reached(o, Message::MM6) || (o.failed_at == Message::MM5 && o.reason == Reason::CertValidationFailed)))
      mm5.notes.push_back(
          fmt::format("{}: the peer matches none of its profiles: global configuration (spec, IOS semantics)",
                      rp.name));
    if (o.failed_at == Message::MM5) {
      mm5.failed = true;
      mm5.notes.push_back(fmt::format("{}: {}", rp.name, reason_code(o.reason)));
      return steps;
    }
    if (!itp.empty()) mm5.notes.push_back(fmt::format("{} validates the certificate: ok", rp.name));
    auto& mm6 = step("MM6", R, rtp.empty() ? "ID SIG/HASH" : fmt::format("ID CERT({}) SIG", rtp));
    if (o.failed_at == Message::MM6) {
      mm6.failed = true;
      mm6.notes.push_back(fmt::format("{}: {}", ip.name, reason_code(o.reason)));
      return steps;
    }
    mm6.notes.push_back("IKE_P1_COMPLETE");
    auto& qm = step("QM1", I, "HASH SA NONCE IDci IDcr");
    qm.notes.push_back(o.child_sa == SaResult::Established ? "IPsec SA established"
                                                           : fmt::format("{}: {}", rp.name, reason_code(o.reason)));
    qm.failed = o.child_sa == SaResult::Failed;
    return steps;
  }
  step("IKE_SA_INIT request", I, "SA KE N N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP)");
  auto& init_r = step("IKE_SA_INIT response", R, certreq_payloads("SA KE N", o.certreq_from_responder, "CERTREQ"));
  init_r.certreqs = certreq_lines(s, R, o.certreq_from_responder);
  if (o.failed_at == Message::IKE_SA_INIT) {
    init_r.failed = true;
    init_r.notes.push_back(std::string(reason_code(o.reason)));
    return steps;
  }
  if (!itp.empty())
    init_r.notes.push_back(fmt::format("{} chooses {} ({})", ip.name, itp,
                                       how_chosen(s, I, o.initiator_trustpoint, o.certreq_from_responder, "V2-3")));
  if (o.reason == Reason::NoCertificatePayload && o.initiator_trustpoint == kNone) {
    init_r.notes.push_back(fmt::format("{}: Failed to build certificate payload (V2-4)", ip.name));
    init_r.failed = true;
    return steps;
  }
  auto& auth_i = step("IKE_AUTH request", I,
                      certreq_payloads(itp.empty() ? "IDi AUTH SA TSi TSr"
                                                   : fmt::format("IDi CERT({}) AUTH SA TSi TSr", itp).c_str(),
                                       o.certreq_from_initiator, "CERTREQ"));
  auth_i.certreqs = certreq_lines(s, I, o.certreq_from_initiator);
  if (!rprof.empty()) auth_i.notes.push_back(fmt::format("{} binds profile {} (V2-9)", rp.name, rprof));
  if (!rtp.empty()) auth_i.notes.push_back(fmt::format("{} chooses {} (V2-13)", rp.name, rtp));
  bool responder_rejected = o.ike_sa == SaResult::Failed && o.failed_at == Message::IKE_AUTH && rtp.empty();
  if (responder_rejected) {
    auth_i.failed = true;
    auth_i.notes.push_back(fmt::format("{}: {}", rp.name, reason_code(o.reason)));
    step("IKE_AUTH response", R, "N(AUTHENTICATION_FAILED)").failed = true;
    return steps;
  }
  auto& auth_r = step("IKE_AUTH response", R,
                      rtp.empty() ? "IDr AUTH SA TSi TSr" : fmt::format("IDr CERT({}) AUTH SA TSi TSr", rtp));
  if (o.ike_sa == SaResult::Failed) {
    auth_r.failed = true;
    auth_r.notes.push_back(fmt::format("{}: {}", ip.name, reason_code(o.reason)));
  } else if (o.child_sa == SaResult::Failed) {
    auth_r.failed = true;
    auth_r.payloads = "IDr CERT AUTH N(TS_UNACCEPTABLE)";
    auth_r.notes.push_back("IKE SA up, CHILD SA refused: TS_UNACCEPTABLE (V2-10)");
  } else {
    auth_r.notes.push_back("IKE SA and CHILD SA established");
  }
  return steps;
}

std::string decisive_step(const Scenario& s, const Observation& o, const ModelOptions& opt) {
  const std::size_t I = o.initiator, R = o.responder();
  const Peer& ip = s.peers[I];
  const Peer& rp = s.peers[R];
  const bool v1 = o.ike_version == IkeVersion::V1;
  switch (o.reason) {
    case Reason::None: return "";
    case Reason::CertValidationFailed: {
      const bool responder_checks = o.failed_at == Message::MM5 || (!v1 && o.responder_trustpoint == kNone);
      const std::size_t verifier = responder_checks ? R : I;
      const std::size_t sender = responder_checks ? I : R;
      const TpIndex sent = responder_checks ? o.initiator_trustpoint : o.responder_trustpoint;
      const Profile* prof = responder_checks ? profile_at(rp, o.responder_profile)
                                             : find_profile(ip, ip.tunnel_profile);
      const CertReqList& received = responder_checks ? o.certreq_from_responder : o.certreq_from_initiator;
      const std::string how = requested(s, sender, sent, received)
                                  ? fmt::format("picked by first match on the CERT_REQ list it received ({})",
                                                v1 ? "V1-5" : "V2-3/V2-13")
                                  : std::string(
                                        "sent as the fallback certificate because no CERT_REQ it received "
                                        "named a CA it holds a certificate from (V1-7)");
      return fmt::format(
          "{} sent its certificate from trustpoint {} (issuer {}), {}; {} validates against {} only{} and has no "
          "trustpoint for that issuer ({}).",
          s.peers[sender].name, trustpoint_name(s, sender, sent), issuer_of(s, sender, sent), how,
          s.peers[verifier].name, validation_list_text(s, opt, verifier, prof),
          prof ? fmt::format(" (profile {})", prof->name) : "", v1 ? "V1-9, V1-10" : "V2-5, V2-8");
    }
    case Reason::NoCertificatePayload:
      if (!v1 && o.initiator_trustpoint == kNone)
        return fmt::format(
            "{}'s IKEv2 profile {} authenticates with rsa-sig but names no `pki trustpoint` to sign with (V2-4).",
            ip.name, ip.tunnel_profile);
      return fmt::format("{} has no usable identity certificate to send (V1-7 fallback found none).",
                         o.initiator_trustpoint == kNone ? ip.name : rp.name);
    case Reason::TsUnacceptable:
      return fmt::format(
          "{} bound profile {} ({} matching profile{}), but its tunnel uses profile {}: no IPsec policy for the "
          "traffic selectors ({}).",
          rp.name, profile_name(s, R, o.responder_profile), v1 ? "the chosen" : "the last", v1 ? ", V1-8" : ", V2-9",
          rp.tunnel_profile, v1 ? "V2-11" : "V2-10");
    case Reason::InvalidIdInformation:
      return fmt::format(
          "{} bound {}, but its tunnel uses profile {}: no IPsec policy for the quick mode's proxy identities, "
          "INVALID-ID-INFORMATION (V2-11; RFC 2408 section 3.14.1).",
          rp.name,
          o.responder_profile == kNone ? std::string("no profile (the global configuration)")
                                       : "profile " + profile_name(s, R, o.responder_profile),
          rp.tunnel_profile);
    case Reason::InvalidSyntax:
      return fmt::format(
          "{} refused {}'s IKE_AUTH request as malformed, INVALID_SYNTAX (RFC 7296 section 3.10.1): its IDr is an "
          "address range, ID_IPV4_ADDR_SUBNET, an IKEv1 ID type that IKEv2 does not define (RFC 7296 section 3.5).",
          rp.name, ip.name);
    case Reason::NoMatchingProfile: {
      const Profile* sender = find_profile(ip, ip.tunnel_profile);
      if (sender && sender->self_identity == IdKind::Dn)
        return fmt::format(
            "No profile of {} matches {}'s IKE ID, the DN of its certificate (`identity local dn`): IOS has no "
            "`match identity` for a DN, only `match certificate` selects such a peer (V1-8 / V2-9).",
            rp.name, ip.name);
      return fmt::format("No profile of {} has a `match identity` for {}'s IKE ID (V1-8 / V2-9).", rp.name, ip.name);
    }
    case Reason::NoProposalChosen:
      return fmt::format("{} and {} share no IKE proposal / policy (V1-1).", ip.name, rp.name);
    case Reason::AuthMethodMismatch:
      return fmt::format("{} and {} disagree on the authentication method (rsa-sig / pre-share).", ip.name, rp.name);
    case Reason::Unsupported:
      if (o.failed_at == Message::MM1 && s.aggressive_mode) return "Aggressive mode is not modelled (spec section 7).";
      if (o.failed_at == Message::MM1 || o.failed_at == Message::IKE_SA_INIT)
        return "A personality of this pair cannot back a verdict on this configuration (see the trace).";
      if (const Profile* f = find_profile(ip, ip.tunnel_profile), *g = profile_at(rp, o.responder_profile);
          (f && f->self_identity == IdKind::Dn && f->auth_local != AuthMethod::RsaSig) ||
          (g && g->self_identity == IdKind::Dn && g->auth_local != AuthMethod::RsaSig))
        return "A DN identity (`identity local dn`) without a certificate to take it from is not modelled.";
      return fmt::format(
          "{} selects profiles by a certificate map on the subject of {}'s certificate, which no input gives "
          "(certificate chain or `show crypto pki certificates`): the profile it binds, and so the verdict, cannot "
          "be decided.",
          rp.name, ip.name);
    case Reason::PeerUnreachable: return "The peer did not answer.";
    case Reason::InternalError: return "The implementation under test failed (see the trace).";
  }
  return "";
}

}  // namespace ikeconform
