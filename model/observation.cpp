#include "model/observation.hpp"

#include <fmt/format.h>

#include <array>

#include "model/predefined.hpp"

namespace ikeconform {
namespace {

constexpr std::array<std::string_view, 12> kReasons{"",
                                                    "CERT_VALIDATION_FAILED",
                                                    "NO_CERTIFICATE_PAYLOAD",
                                                    "TS_UNACCEPTABLE",
                                                    "NO_MATCHING_PROFILE",
                                                    "NO_PROPOSAL_CHOSEN",
                                                    "UNSUPPORTED",
                                                    "AUTH_METHOD_MISMATCH",
                                                    "PEER_UNREACHABLE",
                                                    "INTERNAL_ERROR",
                                                    "INVALID_ID_INFORMATION",
                                                    "INVALID_SYNTAX"};
constexpr std::array<std::string_view, 11> kMessages{
    "", "MM1", "MM2", "MM3", "MM4", "MM5", "MM6", "QM1", "IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA"};

}  // namespace

std::string_view reason_code(Reason r) { return kReasons.at(static_cast<std::size_t>(r)); }

bool parse_reason_code(std::string_view s, Reason& out) {
  for (std::size_t i = 0; i < kReasons.size(); ++i)
    if (kReasons[i] == s) {
      out = static_cast<Reason>(i);
      return true;
    }
  return false;
}

std::string_view message_name(Message m) { return kMessages.at(static_cast<std::size_t>(m)); }

bool parse_message_name(std::string_view s, Message& out) {
  for (std::size_t i = 0; i < kMessages.size(); ++i)
    if (kMessages[i] == s) {
      out = static_cast<Message>(i);
      return true;
    }
  return false;
}

std::string ca_dn(const Scenario& s, CaIndex ca) {
  if (ca < 0) return "";
  auto i = static_cast<std::size_t>(ca);
  if (i < s.cas.size()) return s.cas[i].dn;
  i -= s.cas.size();
  return i < kPredefinedTrustpoints.size() ? std::string(kPredefinedTrustpoints[i].dn) : "?";
}

std::string trustpoint_name(const Scenario& s, std::size_t peer, TpIndex tp) {
  if (tp < 0 || peer >= s.peers.size()) return "";
  auto i = static_cast<std::size_t>(tp);
  const Peer& p = s.peers[peer];
  if (i < p.trustpoints.size()) return p.trustpoints[i].name;
  i -= p.trustpoints.size();
  return i < kPredefinedTrustpoints.size() ? std::string(kPredefinedTrustpoints[i].name) : "?";
}

std::string profile_name(const Scenario& s, std::size_t peer, std::int16_t profile) {
  if (profile < 0 || peer >= s.peers.size()) return "";
  auto i = static_cast<std::size_t>(profile);
  return i < s.peers[peer].profiles.size() ? s.peers[peer].profiles[i].name : "?";
}

namespace {

std::string result_text(SaResult r) {
  switch (r) {
    case SaResult::Established: return "established";
    case SaResult::Failed: return "failed";
    case SaResult::NotAttempted: return "not_attempted";
  }
  return "?";
}

std::string certreq_text(const Scenario& s, std::size_t sender, const CertReqList& l) {
  std::string out;
  for (const CertReq& c : l) out += fmt::format("{}[{}] ", ca_dn(s, c.ca), trustpoint_name(s, sender, c.trustpoint));
  return out.empty() ? "(none)" : out.substr(0, out.size() - 1);
}

}  // namespace

std::string sa_result_text(SaResult r) { return result_text(r); }

std::vector<ObservationDiff> diff(const Scenario& s, const Observation& e, const Observation& a) {
  std::vector<ObservationDiff> d;
  auto add = [&](const char* f, std::string x, std::string y) {
    if (x != y) d.push_back({f, std::move(x), std::move(y)});
  };
  const std::size_t ini = e.initiator, resp = e.responder();
  add("initiator", s.peers.at(ini).name, s.peers.at(a.initiator).name);
  add("ike_sa", result_text(e.ike_sa), result_text(a.ike_sa));
  add("child_sa", result_text(e.child_sa), result_text(a.child_sa));
  add("failed_at", std::string(message_name(e.failed_at)), std::string(message_name(a.failed_at)));
  add("reason", std::string(reason_code(e.reason)), std::string(reason_code(a.reason)));
  add("initiator_trustpoint", trustpoint_name(s, ini, e.initiator_trustpoint),
      trustpoint_name(s, ini, a.initiator_trustpoint));
  add("responder_trustpoint", trustpoint_name(s, resp, e.responder_trustpoint),
      trustpoint_name(s, resp, a.responder_trustpoint));
  add("responder_profile", profile_name(s, resp, e.responder_profile), profile_name(s, resp, a.responder_profile));
  add("certreq_from_initiator", certreq_text(s, ini, e.certreq_from_initiator),
      certreq_text(s, ini, a.certreq_from_initiator));
  add("certreq_from_responder", certreq_text(s, resp, e.certreq_from_responder),
      certreq_text(s, resp, a.certreq_from_responder));
  return d;
}

Observation without_child_sa(Observation o) {
  if (o.ike_sa == SaResult::Established) {
    o.child_sa = SaResult::NotAttempted;
    o.failed_at = Message::None;
    o.reason = Reason::None;
  }
  return o;
}

Observation not_attempted(const Scenario& s, std::uint8_t initiator, Reason why, std::string what) {
  Observation o;
  o.initiator = initiator;
  o.ike_version = s.ike_version;
  o.reason = why;
  if (why != Reason::Unsupported) o.ike_sa = SaResult::Failed;
  o.trace.push_back(std::move(what));
  return o;
}

}  // namespace ikeconform
