// pluto log lines and showstates -> SideReport.
#include "drivers/libreswan/observe.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>

namespace ikeconform::libreswan {

// ---------------------------------------------------------------------------------------------
// Parsing

namespace {

// "Nov 29 08:09:24.516959: " -> the rest. --stderrlog stamps every line this way.
std::optional<std::string_view> strip_time(std::string_view line) {
  if (line.size() < 17 || !std::isalpha(static_cast<unsigned char>(line[0])) || line[3] != ' ') return std::nullopt;
  const std::size_t colon = line.find(": ", 9);
  if (colon == std::string_view::npos || colon > 32 || line[colon - 7] != '.') return std::nullopt;
  return line.substr(colon + 2);
}

// `"conn" #12: ` or `"conn": ` (optionally after "ERROR: "), filling conn and serial.
void strip_conn(std::string_view& rest, PlutoLine& out) {
  std::string_view r = rest;
  if (r.rfind("ERROR: ", 0) == 0) r.remove_prefix(7);
  if (r.empty() || r.front() != '"') return;
  const std::size_t close = r.find('"', 1);
  if (close == std::string_view::npos) return;
  std::string_view conn = r.substr(1, close - 1);
  std::string_view after = r.substr(close + 1);
  int serial = 0;
  if (after.rfind(" #", 0) == 0) {
    const char* b = after.data() + 2;
    const auto [p, ec] = std::from_chars(b, after.data() + after.size(), serial);
    if (ec != std::errc()) return;
    after.remove_prefix(static_cast<std::size_t>(p - after.data()));
  }
  if (after.rfind(": ", 0) != 0) return;
  out.conn = std::string(conn);
  out.serial = serial;
  rest = after.substr(2);
}

}  // namespace

std::optional<PlutoLine> parse_pluto_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  auto rest = strip_time(line);
  if (!rest) return std::nullopt;
  PlutoLine out;
  std::string_view r = *rest;
  strip_conn(r, out);
  out.msg = std::string(r);
  return out;
}

std::vector<ShownState> parse_showstates(std::string_view text) {
  std::vector<ShownState> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const std::size_t hash = line.find('#');
    const std::size_t q1 = line.find('"');
    if (hash == std::string_view::npos || q1 == std::string_view::npos || hash > q1) continue;
    const std::size_t q2 = line.find('"', q1 + 1);
    const std::size_t st = line.find("STATE_", q2 == std::string_view::npos ? q1 : q2);
    if (q2 == std::string_view::npos || st == std::string_view::npos) continue;
    ShownState s;
    std::from_chars(line.data() + hash + 1, line.data() + q1, s.serial);
    s.conn = std::string(line.substr(q1 + 1, q2 - q1 - 1));
    const std::size_t end = line.find_first_of(" ;(", st);
    s.state = std::string(line.substr(st, end == std::string_view::npos ? std::string_view::npos : end - st));
    out.push_back(std::move(s));
  }
  return out;
}

bool established_state(std::string_view state) {
  return state == "STATE_MAIN_I4" || state == "STATE_MAIN_R3" || state == "STATE_V2_ESTABLISHED_IKE_SA" ||
         state == "STATE_AGGR_I2" || state == "STATE_AGGR_R2";
}

// ---------------------------------------------------------------------------------------------
// Vocabulary (Libreswan 4.10, default log level)

namespace {

using Needles = std::initializer_list<std::string_view>;

bool has(const std::string& msg, Needles needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return msg.find(n) != std::string::npos; });
}

bool any_line(const std::vector<const PlutoLine*>& lines, Needles needles) {
  return std::any_of(lines.begin(), lines.end(), [&](const PlutoLine* l) { return has(l->msg, needles); });
}

const Needles kEstablished{"IKE SA established", "established IKE SA"};
// Also main mode refused for its authentication method, which the proposal carries
// (ikev1_host_pair.c: "initial Main Mode message received but no connection has been authorized
// with authby=...").
const Needles kNoProposal{"NO_PROPOSAL_CHOSEN",        "no acceptable Oakley Transform",
                          "no local proposal matches", "no acceptable proposal",
                          "no IKE proposal",           "no connection has been authorized with authby"};
const Needles kNoProfile{"no suitable connection", "no connection has been authorized", "no connection named"};
// The responder found no connection for the peer's ID and its own does not take it
// (ikev1_peer_id.c / ikev2_peer_id.c: "Peer ID '…' mismatched on first found connection and no
// better connection found"). When the peer sent a certificate that is the model's refused
// certificate (no verified certificate vouches for the ID, or it does not fit `rightid`); when it
// authenticates with a PSK nothing but the ID was checked, before the method: no profile.
const Needles kIdMismatch{"mismatched on first found connection"};
// The peer's certificate was dropped unverified (x509.c: "no Certificate Authority in NSS
// Certificate DB! certificate payloads discarded"; NSS refused it: "SEC_ERROR_UNKNOWN_ISSUER",
// then "X509: certificate payload rejected for this connection"). What pluto logs next is a consequence:
// with `rightid=%any`, "Peer ID '…' mismatched on first found connection" (ikev2_peer_id.c:
// no verified certificate vouches for the ID, and same_id() does not take %any for it), else
// "no certificate matched". The model's reason is the refused certificate.
const Needles kCertDiscarded{"certificate payloads discarded", "certificate payload rejected", "SEC_ERROR_"};
const Needles kRejected{"authentication failed", "certificate verify failed", "certificate verification failed",
                        "SEC_ERROR_", "no RSA public key known"};
const Needles kGotAuthFailed{"rejected by peer: AUTHENTICATION_FAILED",
                             "received AUTHENTICATION_FAILED",
                             "notification payload: INVALID_KEY_INFORMATION",
                             "notification payload: INVALID_ID_INFORMATION",
                             "notification payload: AUTHENTICATION_FAILED",
                             "payload INVALID_KEY_INFORMATION",
                             "payload AUTHENTICATION_FAILED"};
// "connection X's RSA private key not found": the IKEv2 responder has no key to sign its IKE_AUTH.
const Needles kNoPrivateKey{"unable to locate my private key", "no private key", "cannot find private key",
                            "private key not found"};
// The peer authenticates with another method than the connection's (ikev2_auth.c
// verify_v2AUTH_and_log(): "authentication failed: peer attempted PSK authentication but we want
// rsasig"): the model's AUTH_METHOD_MISMATCH.
// An IKEv2 initiator whose connection takes a PSK from the peer (`rightauth=secret`) refuses the
// responder's signature the other way (ikev2_auth.c v2_authsig_and_log(): "authentication failed:
// peer authentication requires policy RSASIG_v1_5", the connection's policy lacks the
// signature's): the same mismatch.
const Needles kOtherMethod{"but we want", "peer authentication requires policy"};
// The peer's request did not parse and pluto said so ("malformed payload in packet", then
// "responding to IKE_AUTH message ... with encrypted notification INVALID_SYNTAX"), or the peer
// said so of ours. "malformed payload in packet" alone is no verdict: pluto also logs it for an
// IKEv1 Informational it cannot read after the exchange has failed for another reason.
const Needles kInvalidSyntax{"notification INVALID_SYNTAX", "notification payload: INVALID_SYNTAX",
                             "payload INVALID_SYNTAX"};
const Needles kGaveUp{"max number of retransmissions", "giving up", "second timeout exceeded"};
// A message from the peer arrived (initiator's view).
const Needles kHeard{"sent Main Mode I2",
                     "sent Main Mode I3",
                     "Peer ID is",
                     "IKE SA established",
                     "established IKE SA",
                     "sent IKE_AUTH request",
                     "ignoring informational payload",
                     "received and ignored notification",
                     "rejected by peer",
                     "NO_PROPOSAL_CHOSEN",
                     "authentication failed",
                     "IKE_SA_INIT response"};

// A notification sent in answer (ikev1_send.c / ikev2_send.c: "sending [encrypted ]notification X
// to …", "responding to … with [un]encrypted notification X").
const Needles kAnswered{"sending notification", "sending encrypted notification", "with encrypted notification",
                        "with unencrypted notification"};
// A message of the peer's it could not read (charon's IKEv1 INFORMATIONAL with
// N(AUTHENTICATION_FAILED) after a refused MM5: "27494-byte length of ISAKMP Hash Payload is
// larger than can fit", then this).
const Needles kUnreadableAnswer{"malformed payload in packet"};

// whack --initiate answered that pluto will not start the connection we added (initiate.c):
// our rendering, not a verdict (docs/reasons.md, "Not a reason").
const Needles kInitiateRefused{"cannot initiate", "cannot identify ourselves", "no connection or alias named",
                               "no connection named"};

stack::Verdict verdict_of(const std::vector<const PlutoLine*>& lines, bool psk_conn) {
  using stack::Verdict;
  if (any_line(lines, kNoProposal)) return Verdict::NoProposal;
  if (any_line(lines, kInvalidSyntax)) return Verdict::InvalidSyntax;
  // The method comes first: a PSK connection drops the certificate it cannot use, then refuses
  // the signature ("certificate payloads discarded", "… but we want secret").
  if (any_line(lines, kOtherMethod)) return Verdict::NoSharedKey;
  if (any_line(lines, kCertDiscarded)) return Verdict::RejectedPeer;
  if (any_line(lines, kNoProfile)) return Verdict::NoProfile;
  if (any_line(lines, kIdMismatch)) return psk_conn ? Verdict::NoProfile : Verdict::RejectedPeer;
  if (any_line(lines, kRejected)) return Verdict::RejectedPeer;
  if (any_line(lines, kGotAuthFailed)) return Verdict::GotAuthFailed;
  // "connection X's RSA private key not found" is also logged for a candidate connection the
  // responder then does not take (libreswan seed 3, scenario 151), or before "reloaded private
  // key matching left certificate": it counts when nothing was established after it. A responder
  // logs "responder established IKE SA" before it signs its answer, then the missing key again
  // (seed 1, scenarios 91, 93, 168).
  const auto last = [&](Needles needles) {
    std::ptrdiff_t at = -1;
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (has(lines[i]->msg, needles)) at = static_cast<std::ptrdiff_t>(i);
    return at;
  };
  if (const std::ptrdiff_t key = last(kNoPrivateKey); key >= 0 && key > last(kEstablished))
    return Verdict::NoPrivateKey;
  if (any_line(lines, kGaveUp)) return Verdict::GaveUp;
  return Verdict::None;
}

// The lines of this run that concern our connections (or none at all).
std::vector<const PlutoLine*> ours(const SideInput& in) {
  std::vector<const PlutoLine*> out;
  for (const PlutoLine& l : in.lines)
    if (l.conn.empty() || in.config->find(l.conn)) out.push_back(&l);
  return out;
}

const RenderedConn* conn(const SideInput& in, const std::string& name) { return in.config->find(name); }

const RenderedConn* initiator_conn(const SideInput& in) { return &in.config->conns.at(in.config->initiator_conn); }

// The responder's connection when the exchange began, and the one it ended on.
const RenderedConn* first_conn(const std::vector<const PlutoLine*>& lines, const SideInput& in) {
  for (const PlutoLine* l : lines)
    if (l->serial > 0)
      if (const RenderedConn* c = conn(in, l->conn)) return c;
  return nullptr;
}
// The IKE SA's last connection: the lines of its serial (the first one of the run), not those of
// a CHILD SA, whose traffic selectors may switch it elsewhere after the IKE SA was established
// (IKEv2: `#1: switched to "prof1"`, `responder established IKE SA`, then `#2: switched to
// "prof2"` for the CHILD SA).
const RenderedConn* last_conn(const std::vector<const PlutoLine*>& lines, const SideInput& in) {
  int ike_serial = 0;
  for (const PlutoLine* l : lines)
    if (l->serial > 0 && conn(in, l->conn)) {
      ike_serial = l->serial;
      break;
    }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if ((*it)->serial == ike_serial && ike_serial > 0)
      if (const RenderedConn* c = conn(in, (*it)->conn)) return c;
  return nullptr;
}

// Whether the peer authenticated without a certificate: IKEv2 names the request's payloads
// ("processing decrypted IKE_AUTH request: SK{IDi,IDr,AUTH,…}", no CERT); IKEv1 binds the method
// at MM1, so the connection's `rightauth` says it.
bool takes_psk(const SideInput& in, const std::vector<const PlutoLine*>& lines) {
  if (in.role == Role::Responder)
    for (const PlutoLine* l : lines)
      if (const std::size_t at = l->msg.find("IKE_AUTH request: SK{"); at != std::string::npos) {
        const std::string list = l->msg.substr(at + 20);  // "{IDi,CERTREQ,AUTH,…}": CERTREQ is not CERT
        return list.find("{CERT,") == std::string::npos && list.find(",CERT,") == std::string::npos &&
               list.find(",CERT}") == std::string::npos;
      }
  const RenderedConn* c = in.role == Role::Initiator ? initiator_conn(in) : last_conn(lines, in);
  if (!c) return false;
  const Peer& p = in.scenario->peers[in.peer];
  return p.profiles[static_cast<std::size_t>(c->conn.profile)].auth_remote == AuthMethod::PreShare;
}

CertReqList certreq_of(const SideInput& in, const RenderedConn* c) {
  CertReqList out;
  if (!c || c->conn.rightca == kNone) return out;
  const Peer& p = in.scenario->peers[in.peer];
  const std::string& ca = p.trustpoints[static_cast<std::size_t>(c->conn.rightca)].ca;
  for (std::size_t i = 0; i < in.scenario->cas.size(); ++i)
    if (in.scenario->cas[i].id == ca) out.push_back({static_cast<CaIndex>(i), c->conn.rightca});
  return out;
}

bool v2(const SideInput& in) { return in.scenario->ike_version == IkeVersion::V2; }

// CERTREQs: Libreswan does not log their content; the connection that sent them says it
// (`rightca`), and the wire cross-check (drivers/capture) confirms what is visible.
void fill_certreqs(const SideInput& in, const std::vector<const PlutoLine*>& lines, stack::SideReport& r) {
  if (in.role == Role::Initiator) {
    r.certreq_message = v2(in) ? Message::IKE_AUTH : Message::MM5;
    const bool sent = v2(in) ? any_line(lines, {"sent IKE_AUTH request"})
                             : any_line(lines, {"I am sending a certificate request"});
    if (sent) r.certreqs_sent = certreq_of(in, initiator_conn(in));
    return;
  }
  r.certreq_message = v2(in) ? Message::IKE_SA_INIT : Message::MM4;
  const bool sent = v2(in) ? any_line(lines, {"sent IKE_SA_INIT reply", "sent IKE_SA_INIT response"})
                           : any_line(lines, {"sent Main Mode R2"});
  if (sent) r.certreqs_sent = certreq_of(in, first_conn(lines, in));
}

TpIndex trustpoint_of(const RenderedConn* c) { return c && c->conn.cert != kNone ? c->conn.trustpoint : kNone; }

void fill_cert_sent(const SideInput& in, const std::vector<const PlutoLine*>& lines, stack::SideReport& r) {
  if (!v2(in)) {  // IKEv1 logs it, with the connection in force at that moment
    for (const PlutoLine* l : lines)
      if (has(l->msg, {"I am sending my cert"})) {
        r.cert_sent = trustpoint_of(conn(in, l->conn));
        return;
      }
    return;
  }
  if (in.role == Role::Initiator) {
    if (any_line(lines, {"sent IKE_AUTH request"})) r.cert_sent = trustpoint_of(initiator_conn(in));
    return;
  }
  for (const PlutoLine* l : lines)  // the IKEv2 responder answers with a certificate only once it accepted
    if (has(l->msg, {"responder established IKE SA"})) r.cert_sent = trustpoint_of(conn(in, l->conn));
}

bool established(const SideInput& in, const std::vector<const PlutoLine*>& lines) {
  for (const ShownState& s : in.states)
    if (conn(in, s.conn) && established_state(s.state)) return true;
  return any_line(lines, kEstablished);
}

void fill_trace(const SideInput& in, const std::vector<const PlutoLine*>& lines, stack::SideReport& r) {
  const std::string who = in.scenario->peers[in.peer].name + ": ";
  for (const std::string& w : in.whack_output) r.trace.push_back(who + "whack: " + w);
  for (const PlutoLine* l : lines) {
    std::string t = who;
    if (!l->conn.empty()) t += "\"" + l->conn + "\"" + (l->serial ? " #" + std::to_string(l->serial) : "") + ": ";
    r.trace.push_back(t + l->msg);
  }
}

}  // namespace

stack::Progress progress(const SideInput& in) {
  const auto lines = ours(in);
  if (in.role == Role::Initiator && any_line(lines, kEstablished)) return stack::Progress::Up;
  const stack::Verdict v = verdict_of(lines, takes_psk(in, lines));
  // A responder's GaveUp (its MM4/IKE_SA_INIT reply unanswered) is not the end: the initiator decides.
  if (v != stack::Verdict::None && !(in.role == Role::Responder && v == stack::Verdict::GaveUp))
    return stack::Progress::Failed;
  return stack::Progress::Pending;
}

bool unreadable_answer(const SideInput& in) { return any_line(ours(in), kUnreadableAnswer); }

bool dropped_first_message(const SideInput& in) {
  const auto lines = ours(in);
  return !lines.empty() && std::none_of(lines.begin(), lines.end(), [](const PlutoLine* l) {
    return l->serial != 0 || (has(l->msg, kAnswered) && l->msg.find("NOT sending") == std::string::npos);
  });
}

stack::SideReport side_report(const SideInput& in) {
  stack::SideReport r;
  const auto lines = ours(in);
  r.alive = in.alive;
  r.child_observable = false;  // no ESP in this kernel: pluto cannot install a CHILD SA (real-stacks.md)
  r.ike_established = established(in, lines);
  r.verdict = verdict_of(lines, takes_psk(in, lines));
  r.heard_peer = in.role == Role::Responder ? !lines.empty() : any_line(lines, kHeard);
  if (in.role == Role::Initiator)
    for (const std::string& w : in.whack_output)
      if (has(w, kInitiateRefused)) {
        r.refused = "whack --initiate: " + w;
        break;
      }
  fill_certreqs(in, lines, r);
  fill_cert_sent(in, lines, r);
  if (in.role == Role::Responder)
    if (const RenderedConn* c = last_conn(lines, in);
        c && r.verdict != stack::Verdict::NoProfile && r.verdict != stack::Verdict::InvalidSyntax)
      r.bound_profile = c->conn.profile;  // no profile: it refused the peer's ID on its first connection
  fill_trace(in, lines, r);
  return r;
}

}  // namespace ikeconform::libreswan
