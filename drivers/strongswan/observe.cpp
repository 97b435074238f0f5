// charon log lines and list-sas -> Observation.
#include "drivers/strongswan/observe.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ikeconform::strongswan {

// ---------------------------------------------------------------------------------------------
// Log line sources

std::optional<LogLine> parse_filelog_line(std::string_view line) {
  // Skip an optional time stamp: the thread number is the digits right before '['.
  const std::size_t open = line.find('[');
  if (open == std::string_view::npos || open == 0 || !std::isdigit(static_cast<unsigned char>(line[open - 1])))
    return std::nullopt;
  const std::size_t close = line.find(']', open);
  if (close == std::string_view::npos || close - open < 4) return std::nullopt;
  std::string_view tag = line.substr(open + 1, close - open - 1);  // "IKE1" or "IKE"
  LogLine out;
  if (std::isdigit(static_cast<unsigned char>(tag.back()))) {
    out.level = tag.back() - '0';
    tag.remove_suffix(1);
  }
  if (tag.size() != 3) return std::nullopt;
  out.group = std::string(tag);
  std::string_view msg = line.substr(close + 1);
  if (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
  out.msg = std::string(msg);
  return out;
}

LogLine from_log_event(const vici::Message& m) {
  LogLine out;
  out.group = m.get("group");
  const std::string level = m.get("level", "1");
  std::from_chars(level.data(), level.data() + level.size(), out.level);
  out.msg = m.get("msg");
  return out;
}

void read_list_sas(const std::vector<vici::Message>& sas, std::string_view prefix, SideEvidence& side) {
  for (const vici::Message& event : sas) {
    for (const vici::Message::Entry& ike : event.entries()) {
      if (ike.kind != vici::Message::Kind::Section || ike.name.rfind(prefix, 0) != 0) continue;
      if (ike.section.get("state") == "ESTABLISHED") side.ike_established = true;
      const vici::Message* children = ike.section.section("child-sas");
      if (!children) continue;
      for (const vici::Message::Entry& child : children->entries())
        if (child.kind == vici::Message::Kind::Section && child.section.get("state") == "INSTALLED")
          side.child_installed = true;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

namespace {

bool has(const std::string& msg, std::string_view needle) { return msg.find(needle) != std::string::npos; }

bool any_line(const SideEvidence& side, std::initializer_list<std::string_view> needles) {
  return std::any_of(side.log.begin(), side.log.end(), [&](const LogLine& l) {
    return std::any_of(needles.begin(), needles.end(), [&](std::string_view n) { return has(l.msg, n); });
  });
}

// The text between the first pair of quotes (either kind) after `prefix`, if the line has it.
std::optional<std::string> quoted_after(const std::string& msg, std::string_view prefix) {
  const std::size_t at = msg.find(prefix);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t open = msg.find_first_of("\"'", at + prefix.size());
  if (open == std::string::npos) return std::nullopt;
  const std::size_t close = msg.find(msg[open], open + 1);
  if (close == std::string::npos) return std::nullopt;
  return msg.substr(open + 1, close - open - 1);
}

// This side rejected what the peer sent (its certificate, its signature, its identity).
bool rejects_peer(const SideEvidence& side) {
  return any_line(side, {"constraint check failed", "no trusted RSA public key found", "no trusted public key found",
                         "no issuer certificate found", "certificate was revoked", "signature validation failed",
                         "no peer config found", "no matching peer config found", "tried 0 shared keys",
                         "MAC mismatched"}) ||
         std::any_of(side.log.begin(), side.log.end(), [](const LogLine& l) {
           return has(l.msg, "authentication of '") && has(l.msg, " failed") && !has(l.msg, "(myself)");
         });
}

bool no_profile(const SideEvidence& side) { return any_line(side, {"no peer config found", "no matching peer config found"}); }
bool no_private_key(const SideEvidence& side) { return any_line(side, {"no private key found", "no shared key found"}); }
bool no_proposal(const SideEvidence& side) {
  return any_line(side, {"NO_PROPOSAL_CHOSEN", "no acceptable proposal found", "no proposal found",
                         "no matching proposal found"});
}
bool ts_unacceptable(const SideEvidence& side) {
  return any_line(side, {"TS_UNACCEPTABLE", "no acceptable traffic selectors found", "INVALID_ID_INFORMATION",
                         "no matching CHILD_SA config found"});
}
bool got_auth_failed(const SideEvidence& side) { return any_line(side, {"received AUTHENTICATION_FAILED"}); }
bool got_any_packet(const SideEvidence& side) { return any_line(side, {"received packet"}); }

// ---------------------------------------------------------------------------------------------
// Index mapping through the rendered DNs and names

std::int16_t to_index(std::size_t i) { return static_cast<std::int16_t>(i); }

TpIndex trustpoint_index(const Peer& p, const std::string& name) {
  for (std::size_t i = 0; i < p.trustpoints.size(); ++i)
    if (p.trustpoints[i].name == name) return to_index(i);
  return kNone;
}

CertReq certreq_for(const Scenario& s, const Material& m, std::size_t sender, const std::string& dn) {
  CertReq r;
  for (std::size_t i = 0; i < m.cas.size(); ++i) {
    if (m.cas[i].dn != dn) continue;
    r.ca = to_index(i);
    const Peer& p = s.peers[sender];
    for (std::size_t t = 0; t < p.trustpoints.size(); ++t)
      if (p.trustpoints[t].ca == s.cas[i].id) {
        r.trustpoint = to_index(t);
        break;
      }
    break;
  }
  return r;
}

CertReqList certreqs_sent(const Scenario& s, const Material& m, std::size_t sender, const SideEvidence& side) {
  CertReqList out;
  for (const LogLine& l : side.log)
    if (auto dn = quoted_after(l.msg, "sending cert request for")) out.push_back(certreq_for(s, m, sender, *dn));
  return out;
}

// The trustpoint of the first end-entity certificate this side sent.
TpIndex cert_sent(const Scenario& s, const Material& m, std::size_t sender, const SideEvidence& side) {
  for (const LogLine& l : side.log) {
    auto dn = quoted_after(l.msg, "sending end entity cert");
    if (!dn) continue;
    const auto& certs = m.certs.at(sender);
    for (std::size_t k = 0; k < certs.size(); ++k)
      if (certs[k].dn == *dn) return trustpoint_index(s.peers[sender], s.peers[sender].certificates[k].trustpoint);
    return kNone;
  }
  return kNone;
}

// The profile charon settled on: the last "selected peer config" that it did not then call
// unacceptable (an IKEv2 responder switches configs after a failed constraint check), else
// the first one it tried.
std::int16_t bound_profile(const Scenario& s, const RenderOptions& o, std::size_t responder, const SideEvidence& side) {
  auto index_of = [&](const std::string& conn) -> std::int16_t {
    if (conn.rfind(o.prefix, 0) != 0) return kNone;
    const auto& profiles = s.peers[responder].profiles;
    for (std::size_t i = 0; i < profiles.size(); ++i)
      if (profiles[i].name == conn.substr(o.prefix.size())) return to_index(i);
    return kNone;
  };
  std::int16_t first = kNone, settled = kNone;
  for (const LogLine& l : side.log) {
    auto name = quoted_after(l.msg, "selected peer config");
    if (!name) continue;
    const std::int16_t i = index_of(*name);
    if (first == kNone) first = i;
    if (!has(l.msg, "unacceptable")) settled = i;
  }
  return settled != kNone ? settled : first;
}

// Level 0-1 lines of the groups that tell the story, "R1: [IKE] ...".
void add_trace(std::vector<std::string>& trace, const std::string& who, const SideEvidence& side) {
  for (const LogLine& l : side.log) {
    if (l.level > 1) continue;
    if (l.group != "IKE" && l.group != "CFG" && l.group != "ENC" && l.group != "NET") continue;
    trace.push_back(who + ": [" + l.group + "] " + l.msg);
  }
}

// ---------------------------------------------------------------------------------------------
// Outcome

Message auth_message(IkeVersion v, bool responder_rejected) {
  if (v == IkeVersion::V2) return Message::IKE_AUTH;
  return responder_rejected ? Message::MM5 : Message::MM6;  // who checked which certificate
}

void classify_ike_failure(const Scenario& s, const RunEvidence& e, Observation& o) {
  const SideEvidence& ini = e.sides[e.initiator];
  const SideEvidence& res = e.sides[1 - e.initiator];
  const bool v2 = s.ike_version == IkeVersion::V2;
  o.ike_sa = SaResult::Failed;
  if (no_proposal(ini) || no_proposal(res)) {
    o.reason = Reason::NoProposalChosen;
    o.failed_at = v2 ? Message::IKE_SA_INIT : Message::MM1;
  } else if (no_profile(res)) {
    o.reason = Reason::NoMatchingProfile;
    o.failed_at = auth_message(s.ike_version, true);
  } else if (rejects_peer(res) || got_auth_failed(ini)) {
    o.reason = Reason::CertValidationFailed;
    o.failed_at = auth_message(s.ike_version, true);
  } else if (rejects_peer(ini)) {
    o.reason = Reason::CertValidationFailed;
    o.failed_at = auth_message(s.ike_version, false);
  } else if (no_private_key(ini)) {
    o.reason = Reason::NoCertificatePayload;
    o.failed_at = v2 ? Message::IKE_AUTH : Message::MM5;
  } else if (!got_any_packet(ini)) {
    o.reason = Reason::PeerUnreachable;
    o.failed_at = v2 ? Message::IKE_SA_INIT : Message::MM1;
  } else {
    o.reason = Reason::InternalError;  // answered, but not in a way we recognize: see the trace
  }
}

}  // namespace

Observation observe(const Scenario& s, const Material& m, const RenderOptions& opts, const RunEvidence& e) {
  Observation o;
  o.initiator = e.initiator;
  o.ike_version = s.ike_version;
  const std::size_t ini = e.initiator;
  const std::size_t res = 1 - ini;
  const SideEvidence& I = e.sides[ini];
  const SideEvidence& R = e.sides[res];

  o.certreq_from_initiator = certreqs_sent(s, m, ini, I);
  o.certreq_from_responder = certreqs_sent(s, m, res, R);
  o.initiator_trustpoint = cert_sent(s, m, ini, I);
  o.responder_trustpoint = cert_sent(s, m, res, R);
  o.responder_profile = bound_profile(s, opts, res, R);
  add_trace(o.trace, s.peers[ini].name, I);
  add_trace(o.trace, s.peers[res].name, R);
  if (!e.initiate_errmsg.empty()) o.trace.push_back("initiate: " + e.initiate_errmsg);
  if (!e.harness_error.empty()) o.trace.push_back("harness: " + e.harness_error);

  if (!e.harness_error.empty() || !I.daemon_alive || !R.daemon_alive) {
    o.ike_sa = I.ike_established ? SaResult::Established : SaResult::Failed;
    o.reason = Reason::InternalError;
    return o;
  }
  // initiate answers success only once the CHILD_SA is up, so it covers a list-sas that ran
  // while the IKE_SA was still busy.
  if (!I.ike_established && !e.initiate_success) {
    classify_ike_failure(s, e, o);
    return o;
  }
  o.ike_sa = SaResult::Established;
  if (I.child_installed || e.initiate_success) {
    o.child_sa = SaResult::Established;
    return o;
  }
  o.child_sa = SaResult::Failed;
  o.failed_at = s.ike_version == IkeVersion::V2 ? Message::IKE_AUTH : Message::QM1;
  o.reason = ts_unacceptable(I) || ts_unacceptable(R) ? Reason::TsUnacceptable
             : no_proposal(I) || no_proposal(R)       ? Reason::NoProposalChosen
                                                      : Reason::InternalError;
  return o;
}

}  // namespace ikeconform::strongswan
