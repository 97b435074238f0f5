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

// The lines that judge the peer: after the last "switching to peer config" (ike_auth.c,
// ikev1/phase1.c), charon starts over with the next candidate, so what the one it left refused no
// longer counts; "no alternative config found" says the last one refused too.
std::vector<LogLine>::const_iterator judged_from(const SideEvidence& side) {
  const auto last = std::find_if(side.log.rbegin(), side.log.rend(),
                                 [](const LogLine& l) { return has(l.msg, "switching to peer config"); });
  return last == side.log.rend() ? side.log.begin() : last.base();
}

// This side rejected what the peer sent (its certificate, its signature, its identity).
bool rejects_peer(const SideEvidence& side) {
  static constexpr std::string_view kRefusals[] = {"constraint check failed",     "no trusted RSA public key found",
                                                   "no trusted public key found", "no issuer certificate found",
                                                   "certificate was revoked",     "signature validation failed",
                                                   "no peer config found",        "no matching peer config found",
                                                   "tried 0 shared keys",         "MAC mismatched",
                                                   "no alternative config found"};
  return std::any_of(judged_from(side), side.log.end(), [](const LogLine& l) {
    return std::any_of(std::begin(kRefusals), std::end(kRefusals), [&](std::string_view n) { return has(l.msg, n); }) ||
           (has(l.msg, "authentication of '") && has(l.msg, " failed") && !has(l.msg, "(myself)"));
  });
}

// No connection for the peer: none matches its ID, or (IKEv1) those that do authenticate another
// way (ikev1/phase1.c select_config(): "found %d matching config%s, but none allows %N authentication
// using Main Mode"): charon selects peer configs by ID and method together.
bool no_profile(const SideEvidence& side) {
  return any_line(side, {"no peer config found", "no matching peer config found", ", but none allows"});
}
bool no_private_key(const SideEvidence& side) {
  return any_line(side, {"no private key found", "no RSA private key found"});
}
// An IKEv1 initiator without a key cannot even choose its method (ikev1/tasks/main_mode.c
// build_i()): nothing is sent.
bool refused_to_start(const SideEvidence& side) {
  return any_line(side, {"configuration uses unsupported authentication"});
}
// A pre-shared key where the peer has none: the one secret is loaded only by peers whose profiles
// use pre-share, so this is the other side authenticating in another way. The IKEv2 initiator
// says so after the fact: the peer authenticated, but not in the class its remote auth requires
// ("constraint requires pre-shared key authentication, but public key was used", auth_cfg.c
// complies()). Both are AUTH_METHOD_MISMATCH (docs/reasons.md). A responder that then switches
// to another peer config ("switching to peer config", ike_auth.c) goes on: its later refusal counts.
bool no_shared_key(const SideEvidence& side) {
  if (any_line(side, {"no shared key found"})) return true;
  return std::any_of(judged_from(side), side.log.end(), [](const LogLine& l) {
    return has(l.msg, "constraint requires ") && has(l.msg, " authentication, but ");
  });
}
// The identity the peer presented is not the one this side's connection expects: the IKEv1
// initiator checks IDir ("IDir 'x' does not match to 'y'"), the IKEv2 initiator enforces remote.id
// as a constraint, the IKEv2 responder refuses an IDr that is not its own.
bool identity_rejected(const SideEvidence& side) {
  return any_line(side, {"does not match to", "but require", "constraint check failed: identity"});
}
bool no_proposal(const SideEvidence& side) {
  return any_line(side, {"NO_PROPOSAL_CHOSEN", "no acceptable proposal found", "no proposal found",
                         "no matching proposal found"});
}
bool ts_unacceptable(const SideEvidence& side) {
  return any_line(side, {"TS_UNACCEPTABLE", "no acceptable traffic selectors found", "INVALID_ID_INFORMATION",
                         "no matching CHILD_SA config found"});
}
bool got_auth_failed(const SideEvidence& side) { return any_line(side, {"received AUTHENTICATION_FAILED"}); }
// The peer refused our message as malformed ("received INVALID_SYNTAX notify error").
bool got_invalid_syntax(const SideEvidence& side) { return any_line(side, {"received INVALID_SYNTAX"}); }
bool got_any_packet(const SideEvidence& side) { return any_line(side, {"received packet"}); }
// charon refused to use the configuration we loaded (docs/reasons.md, "Not a reason"): its own
// line, "" when it took it. src/libcharon/sa/ikev1/phase1.c logs the first when no
// authentication class fits the peer_cfg's auth_cfgs for main mode.
std::string refused_line(const SideEvidence& side) {
  for (const LogLine& l : side.log)
    if (has(l.msg, "configuration uses unsupported authentication") || has(l.msg, "no IKE config found for") ||
        has(l.msg, "peer config not found") || (has(l.msg, "CHILD_SA config") && has(l.msg, "not found")))
      return "[" + l.group + "] " + l.msg;
  return {};
}

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
  // The config found refused the IDr the initiator sent ("received IDr %Y, but require %Y",
  // ike_auth.c build_r()): no configuration took the peer, as the model's NO_MATCHING_PROFILE.
  if (std::any_of(side.log.begin(), side.log.end(),
                  [](const LogLine& l) { return has(l.msg, "received IDr ") && has(l.msg, ", but require "); }))
    return kNone;
  std::int16_t first = kNone, settled = kNone;
  for (const LogLine& l : side.log) {
    auto name = quoted_after(l.msg, "selected peer config");
    if (!name) name = quoted_after(l.msg, "switching to peer config");  // after a failed constraint check
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
// One side's verdict: its first finding in the order combine() weighs them (stack.hpp), so that
// combining two sides gives what reading both logs at once gives.

}  // namespace

stack::Verdict side_verdict(const SideEvidence& side, Role role) {
  using stack::Verdict;
  if (no_proposal(side)) return Verdict::NoProposal;
  if (no_shared_key(side)) return Verdict::NoSharedKey;
  if (identity_rejected(side)) return Verdict::IdentityRejected;
  if (role == Role::Responder) {
    if (no_profile(side)) return Verdict::NoProfile;
    if (rejects_peer(side)) return Verdict::RejectedPeer;
    // "no RSA private key found for 'R2.cisco.com'": it accepted the peer, then could not sign.
    return no_private_key(side) ? Verdict::NoPrivateKey : Verdict::None;
  }
  if (got_invalid_syntax(side)) return Verdict::InvalidSyntax;
  if (got_auth_failed(side)) return Verdict::GotAuthFailed;
  if (rejects_peer(side)) return Verdict::RejectedPeer;
  if (no_private_key(side)) return Verdict::NoPrivateKey;
  return Verdict::None;
}

namespace {

// charon verifies the AUTH payload with the method the peer used (authenticator_create_verifier()
// in ike_auth.c), so a signature where this side's connection expects a pre-shared key is
// refused as an untrusted key ("no trusted RSA public key found") before the connection's
// `auth = psk` could object: by the scenario's terms, the methods differ.
bool expected_psk(const Scenario& s, const RenderOptions& o, std::size_t peer, Role role, const SideEvidence& side) {
  const Peer& p = s.peers[peer];
  std::int16_t f = kNone;
  if (role == Role::Initiator) {
    for (std::size_t i = 0; i < p.profiles.size(); ++i)
      if (p.profiles[i].name == p.tunnel_profile) f = to_index(i);
  } else {
    f = bound_profile(s, o, peer, side);
  }
  return f != kNone && p.profiles[static_cast<std::size_t>(f)].auth_remote == AuthMethod::PreShare;
}

}  // namespace

stack::SideReport side_report(const Scenario& s, const Material& m, const RenderOptions& o, std::size_t peer, Role role,
                              const SideEvidence& side, bool initiate_success, const std::string& initiate_errmsg) {
  const bool v2 = s.ike_version == IkeVersion::V2;
  const bool initiator = role == Role::Initiator;
  stack::SideReport r;
  r.alive = side.daemon_alive;
  r.ike_established = side.ike_established || (initiator && initiate_success);
  r.child_installed = side.child_installed || (initiator && initiate_success);
  r.child_ts_unacceptable = ts_unacceptable(side);
  r.child_no_proposal = no_proposal(side);
  r.verdict = side_verdict(side, role);
  if (r.verdict == stack::Verdict::RejectedPeer && expected_psk(s, o, peer, role, side))
    r.verdict = stack::Verdict::NoSharedKey;  // the model's AUTH_METHOD_MISMATCH
  // charon's IKEv1 responder drops a main mode without a common proposal: the observer places
  // the refusal at MM1, where it happened.
  if (r.verdict == stack::Verdict::NoProposal && !v2) r.verdict_at = Message::MM1;
  r.heard_peer = got_any_packet(side);
  // An IKEv1 initiator that never heard the peer lacked its key before MM1: its log may be read
  // before the "configuration uses unsupported authentication" that follows "no private key
  // found" (libreswan,strongswan seed 3, scenario 550: MM5 once, MM1 on replay).
  if (initiator && !v2 && r.verdict == stack::Verdict::NoPrivateKey && (refused_to_start(side) || !r.heard_peer))
    r.verdict_at = Message::MM1;
  // After "no private key found", "configuration uses unsupported authentication" is charon's
  // answer to the missing key (the model's NO_CERTIFICATE_PAYLOAD at MM1), not a refusal of what
  // we rendered.
  if (initiator && r.verdict != stack::Verdict::NoPrivateKey) r.refused = refused_line(side);
  // charon logs its CERTREQs while building the message (ike_cert_pre.c); an initiator that
  // then finds no private key never sends it (IKEv1 MM5, IKEv2 IKE_AUTH).
  if (!(initiator && r.verdict == stack::Verdict::NoPrivateKey)) r.certreqs_sent = certreqs_sent(s, m, peer, side);
  r.cert_sent = cert_sent(s, m, peer, side);
  if (initiator) {
    r.certreq_message = v2 ? Message::IKE_AUTH : Message::MM5;  // spec/real-stacks.md: IKEv1 in MM5
  } else {
    r.certreq_message = v2 ? Message::IKE_SA_INIT : Message::MM4;
    r.bound_profile = bound_profile(s, o, peer, side);
  }
  add_trace(r.trace, s.peers[peer].name, side);
  if (initiator && !initiate_errmsg.empty()) r.trace.push_back("initiate: " + initiate_errmsg);
  return r;
}

Observation observe(const Scenario& s, const Material& m, const RenderOptions& opts, const RunEvidence& e) {
  const std::size_t ini = e.initiator;
  const std::size_t res = 1 - ini;
  const stack::SideReport I = side_report(s, m, opts, ini, Role::Initiator, e.sides[ini], e.initiate_success,
                                          e.initiate_errmsg);
  const stack::SideReport R = side_report(s, m, opts, res, Role::Responder, e.sides[res]);
  return stack::combine(s, e.initiator, I, R, e.harness_error);
}

}  // namespace ikeconform::strongswan
