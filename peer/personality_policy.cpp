#include "peer/personality_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "model/personality.hpp"

namespace ikeconform::peer {

namespace {

// The message that carries this side's certificate: no later point to decide (the model's
// engines turn a kDeferred there into kNone).
bool carries_certificate(Message m) { return m == Message::MM5 || m == Message::MM6 || m == Message::IKE_AUTH; }

std::vector<Bytes> spki_hashes(const Credentials& c) {
  std::vector<Bytes> out;
  for (const CaCert& ca : c.cas()) out.push_back(ca.spki_sha1);
  return out;
}

}  // namespace

PersonalityPolicy::PersonalityPolicy(Scenario s, std::size_t peer, const Credentials& creds, ModelOptions o)
    : s_(std::move(s)), peer_(peer), creds_(creds), o_(o) {
  if (peer_ > 1 || s_.peers.size() != 2) throw std::invalid_argument("a scenario has two peers");
  if (creds_.cas().size() != s_.cas.size())
    throw std::invalid_argument(
        fmt::format("credentials hold {} CAs, the scenario {}", creds_.cas().size(), s_.cas.size()));
  o_.trace = true;
  cs_ = compile(s_, o_);  // throws std::invalid_argument
  tables_ = wire::ca_tables(s_, o_.predefined_trustpoints, spki_hashes(creds_));
  const Peer& self = s_.peers[peer_];
  for (const Trustpoint& tp : self.trustpoints) {
    std::int16_t own = kNone;
    for (std::size_t i = 0; i < creds_.own().size(); ++i)
      if (creds_.own()[i].name == tp.name) own = static_cast<std::int16_t>(i);
    own_of_tp_.push_back(own);
  }
  begin(Role::Initiator);
}

void PersonalityPolicy::begin(Role) {
  received_.clear();
  peer_id_text_.clear();
  peer_id_ = {};
  chosen_ = kDeferred;
  decided_ = false;
  record_ = {};
  peer_cert_seen_.clear();
  lines_.clear();
}

ikeconform::Role PersonalityPolicy::role(const CertStep& at) const {
  return at.role == Role::Initiator ? ikeconform::Role::Initiator : ikeconform::Role::Responder;
}

Step PersonalityPolicy::step(const CertStep& at) {
  // CERTREQ entries back to the scenario's CAs; the sender's trustpoints as wire/ names them.
  std::vector<wire::WireCertReq> reqs;
  for (const Bytes& a : at.received.certreqs)
    reqs.push_back(
        {v1() ? wire::ca_index_from_dn_der(a, tables_.dn_der) : wire::ca_index_from_spki_sha1(a, tables_.spki_sha1),
         a});
  received_ = wire::to_certreq_list(reqs, s_, static_cast<std::uint8_t>(1 - peer_));
  if (!reqs.empty() && record_.certreq_received_message == Message::None) {
    record_.certreqs_received = received_;
    record_.certreq_received_message = at.message;
  }
  Step st;
  st.message = at.message;
  st.role = role(at);
  st.certreqs_received = &received_;
  if (!at.received.peer_cert.empty()) {
    if (at.received.peer_cert != peer_cert_seen_) {
      const Bytes issuer = certificate_issuer(at.received.peer_cert);
      record_.peer_cert_issuer = wire::ca_index_from_dn_der(issuer, tables_.dn_der);
      record_.peer_cert_subject = certificate_subject(at.received.peer_cert);
      record_.peer_cert_issuer_dn = issuer.empty() ? std::string() : wire::ios_dn_from_der(issuer);
      // What `match certificate` maps read (Step::peer_cert): the subject in IOS order.
      peer_cert_ = IdentityCert{};
      peer_cert_.subject = wire::ios_dn_from_der(certificate_subject_der(at.received.peer_cert));
      peer_cert_seen_ = at.received.peer_cert;
    }
    st.peer_cert_issuer = record_.peer_cert_issuer;
    st.peer_cert = &peer_cert_;
  }
  if (at.received.peer_id_type != 0) {
    // ID types 1, 2, 3 and 9 have the same numbers in both versions (RFC 2407 §4.6.2.1, RFC 7296
    // §3.5); a DN is read back into IOS order, the form the model's subjects have.
    const std::uint8_t type = at.received.peer_id_type;
    const auto& data = at.received.peer_id;
    if (type == wire::ikev2::kIdIpv4Addr && data.size() == 4)
      peer_id_text_ = fmt::format("{}.{}.{}.{}", data[0], data[1], data[2], data[3]);
    else if (type == wire::ikev2::kIdDerAsn1Dn) peer_id_text_ = wire::ios_dn_from_der(data);
    else peer_id_text_.assign(data.begin(), data.end());
    peer_id_.kind = type == wire::ikev2::kIdIpv4Addr     ? IdKind::Address
                    : type == wire::ikev2::kIdDerAsn1Dn  ? IdKind::Dn
                    : type == wire::ikev2::kIdRfc822Addr ? IdKind::Email
                                                         : IdKind::Fqdn;
    peer_id_.value = peer_id_text_;
    peer_id_.ipv4 = 0;
    if (peer_id_.kind == IdKind::Address) parse_ipv4(peer_id_text_, peer_id_.ipv4);
    st.peer_id = &peer_id_;
    record_.peer_id = peer_id_text_;
  }
  return st;
}

std::optional<std::pair<std::uint8_t, Bytes>> PersonalityPolicy::local_identity(const CertStep& at) {
  const PeerCtx& self = cs_.peers[peer_];
  const Profile* f = profile(at);
  // An IKEv1 responder on its global configuration sends the global identity (model/ikev1.cpp MM6).
  const bool global = !f && at.role == Role::Responder && v1() && record_.bound_profile == kNone &&
                      self.personality->ikev1_unmatched_uses_global();
  if (!f && !global) return std::nullopt;
  // What the model's engine sends (V1-11), with the certificate chosen in this exchange.
  const TpIndex sent = chosen_ >= 0 ? chosen_ : kNone;
  const PeerId id = f ? self.identity(*f, sent) : self.global_identity(sent);
  if (id.kind == IdKind::Fqdn && !id.value.empty())
    return std::pair{wire::ikev2::kIdFqdn, Bytes(id.value.begin(), id.value.end())};
  if (id.kind == IdKind::Email && !id.value.empty())
    return std::pair{wire::ikev2::kIdRfc822Addr, Bytes(id.value.begin(), id.value.end())};
  if (id.kind == IdKind::Dn) {
    // The DER subject of the certificate that goes out, byte for byte (RFC 7296 §3.5); none: no
    // DN to send (the model calls that UNSUPPORTED, the engine falls back to its default ID).
    const auto tp = static_cast<std::size_t>(sent);
    if (sent == kNone || tp >= own_of_tp_.size() || own_of_tp_[tp] == kNone) return std::nullopt;
    Bytes der = certificate_subject_der(creds_.own()[static_cast<std::size_t>(own_of_tp_[tp])].der);
    if (der.empty()) return std::nullopt;
    return std::pair{wire::ikev2::kIdDerAsn1Dn, std::move(der)};
  }
  if (id.kind != IdKind::Address) return std::nullopt;
  const std::uint32_t a = id.ipv4;
  return std::pair{wire::ikev2::kIdIpv4Addr,
                   Bytes{static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                         static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)}};
}

std::optional<IdentityMatch> PersonalityPolicy::idr() {
  const Negotiation n{cs_, o_, trace_, s_.ike_version};
  return cs_.peers[peer_].personality->idr(n, cs_.peers[peer_]);
}

const Profile* PersonalityPolicy::profile(const CertStep& at) const {
  if (at.role == Role::Initiator) return &cs_.peers[peer_].tunnel_profile();
  if (record_.bound_profile < 0) return nullptr;  // kNone, or kUndecided (the model: UNSUPPORTED)
  return &s_.peers[peer_].profiles[static_cast<std::size_t>(record_.bound_profile)];
}

void PersonalityPolicy::flush(const CertStep& at) {
  for (std::string& l : lines_) at.log.push_back(std::move(l));
  lines_.clear();
}

std::optional<std::vector<Bytes>> PersonalityPolicy::certreq(const CertStep& at) {
  const Negotiation n{cs_, o_, trace_, s_.ike_version};
  const PeerCtx& self = cs_.peers[peer_];
  const Step st = step(at);
  CertReqList out;
  const bool payload = self.personality->certreq(n, self, st, profile(at), out);
  flush(at);
  if (!payload) return std::nullopt;
  std::vector<Bytes> wire_form;
  for (const CertReq& c : out) {
    const auto ca = static_cast<std::size_t>(c.ca);
    wire_form.push_back(v1() ? tables_.dn_der.at(ca) : tables_.spki_sha1.at(ca));
    at.log.push_back(v1() ? fmt::format("ISAKMP ({}): constructing CERT_REQ for issuer {}",
                                        at.role == Role::Initiator ? "0" : "R", n.ca_dn(c.ca))
                          : fmt::format("IKEv2: CERTREQ hash of CA {}", n.ca_dn(c.ca)));
    record_.certreqs_sent.push_back(c);
  }
  if (!out.empty() && record_.certreq_message == Message::None) record_.certreq_message = at.message;
  return wire_form;
}

std::optional<std::size_t> PersonalityPolicy::choose_certificate(const CertStep& at) {
  if (!decided_) {
    const Negotiation n{cs_, o_, trace_, s_.ike_version};
    const PeerCtx& self = cs_.peers[peer_];
    chosen_ = self.personality->choose_certificate(n, self, step(at), profile(at));
    flush(at);
    // An initiator decides on the CERT_REQs' arrival for good (model/ikev1.cpp mm4_process_i).
    if (chosen_ == kDeferred && (at.role == Role::Initiator || carries_certificate(at.message))) chosen_ = kNone;
    decided_ = chosen_ != kDeferred;
    // The observation names the choice once made (model/ikev1.cpp: IOS's MM3 pick stands even
    // when the exchange ends before MM6); not sending it clears it (sends_certificate).
    if (decided_) record_.cert_sent = chosen_;
  }
  if (!decided_ || !carries_certificate(at.message)) return std::nullopt;  // asked again when it goes out
  const auto tp = static_cast<std::size_t>(chosen_);
  if (chosen_ == kNone || tp >= own_of_tp_.size() || own_of_tp_[tp] == kNone) {
    record_.no_certificate = true;
    at.log.push_back(v1() ? "ISAKMP:(0): no certificate to send: no usable identity certificate"
                          : "IKEv2:(SA ID = 1):Failed to build certificate payload");
    return std::nullopt;
  }
  return static_cast<std::size_t>(own_of_tp_[tp]);
}

bool PersonalityPolicy::sends_certificate(const CertStep& at) {
  const Negotiation n{cs_, o_, trace_, s_.ike_version};
  const PeerCtx& self = cs_.peers[peer_];
  const bool sends = self.personality->sends_certificate(n, self, step(at), at.received.certreq_payload);
  flush(at);
  if (!sends) {
    record_.cert_sent = kNone;
    at.log.push_back(
        v1() ? fmt::format("ISAKMP:(0): no CERT payload: {} was not asked for a certificate", self.peer->name)
             : fmt::format("IKEv2:(SA ID = 1):No CERT payload: {} was not asked for a certificate", self.peer->name));
    return false;
  }
  record_.cert_sent = chosen_;
  if (v1()) {
    const IdentityCert& c = self.certificate(chosen_);
    at.log.push_back(
        fmt::format("ISAKMP (0): constructing CERT payload for {}",
                    c.subject.empty() ? "hostname=" + self.peer->fqdn + ",cn=" + self.peer->name : c.subject));
    at.log.push_back(fmt::format("ISAKMP:(0): using the {} trustpoint's keypair to sign", n.tp_name(self, chosen_)));
  }
  return true;
}

bool PersonalityPolicy::bind_profile(const CertStep& at) {
  const Negotiation n{cs_, o_, trace_, s_.ike_version};
  const PeerCtx& self = cs_.peers[peer_];
  const Step st = step(at);
  if (!st.peer_id) {
    record_.no_profile = true;
    return false;
  }
  record_.bound_profile = self.personality->bind_profile(n, self, st, *st.peer_id);
  flush(at);
  if (record_.bound_profile == kUndecided) {  // the model calls the run UNSUPPORTED; on the wire: refuse
    at.log.push_back("personality could not decide the profile: refusing");
    record_.bound_profile = kNone;
    record_.no_profile = true;
    return false;
  }
  // Spec, IOS semantics: an IKEv1 responder that matches no profile goes on with its global
  // configuration (no profile bound: every global trustpoint validates), as the model does.
  record_.no_profile = record_.bound_profile == kNone && !(v1() && self.personality->ikev1_unmatched_uses_global());
  if (record_.no_profile && !v1()) at.log.push_back("IKEv2:(SA ID = 1):Sending authentication failure notify");
  return !record_.no_profile;
}

std::vector<std::size_t> PersonalityPolicy::trust_anchors(const CertStep& at) {
  const Negotiation n{cs_, o_, trace_, s_.ike_version};
  const PeerCtx& self = cs_.peers[peer_];
  TpList list;
  self.personality->validation_list(n, self, step(at), profile(at), list);
  flush(at);
  at.log.push_back(v1() ? fmt::format("ISAKMP:(0): Creating CERT validation list: {}", join_tp_names(n, self, list))
                        : fmt::format("IKEv2:(SA ID = 1):[IKEv2 -> PKI] Validating certificate chain (validation "
                                      "list: {})",
                                      join_tp_names(n, self, list)));
  std::vector<std::size_t> anchors;  // predefined trustpoints hold no CA this PKI made: they validate nothing here
  for (TpIndex t : list) {
    const auto ca = static_cast<std::size_t>(self.ca_of(t));
    if (ca < creds_.cas().size() && std::find(anchors.begin(), anchors.end(), ca) == anchors.end())
      anchors.push_back(ca);
  }
  return anchors;
}

void PersonalityPolicy::certificate_checked(const CertStep& at, std::optional<std::size_t> anchor) {
  record_.refused_peer = !anchor;
  const std::string& from = s_.peers[1 - peer_].address;
  if (!v1()) {  // V2-8
    if (anchor) {
      at.log.push_back("IKEv2:(SA ID = 1):[PKI -> IKEv2] Validation of certificate chain PASSED");
      return;
    }
    at.log.push_back("IKEv2:(SA ID = 1):[PKI -> IKEv2] Validation of certificate chain FAILED");
    at.log.push_back("IKEv2:(SA ID = 1):Verification of peer's authentication data FAILED");
    at.log.push_back("IKEv2:(SA ID = 1):Sending authentication failure notify");
    return;
  }
  if (anchor) {  // V1-10
    at.log.push_back("CRYPTO_PKI: Certificate validation succeeded");
    at.log.push_back("ISAKMP:(0):SA authentication status: authenticated");
    return;
  }
  at.log.push_back("CRYPTO_PKI: No suitable trustpoints found");
  at.log.push_back(
      fmt::format("%CRYPTO-5-IKMP_INVAL_CERT: Certificate received from {} is bad: unknown error returned in "
                  "certificate "
                  "validation",
                  from));
  at.log.push_back("ISAKMP:(0): Unknown error in cert validation, -1");
}

bool PersonalityPolicy::ipsec_policy(const CertStep& at) {
  // V2-10 / V2-11: a profile other than the tunnel's finds no crypto map for the selectors.
  const PeerCtx& self = cs_.peers[peer_];
  if (record_.bound_profile == self.tunnel) return true;
  if (v1() && record_.bound_profile == kNone && self.tunnel_is_global()) return true;  // the global configuration
  if (v1()) at.log.push_back("ISAKMP:(0): IPSec policy invalidated proposal with error 32");
  record_.no_ipsec_policy = true;
  at.log.push_back("map_db_check_isakmp_profile profile did not match");
  at.log.push_back("map_db_find_best did not find matching map");
  at.log.push_back("IPSEC(ipsec_process_proposal): proxy identities not supported");
  if (!v1()) {
    at.log.push_back("IKEv2:(SA ID = 1):There was no IPSEC policy found for received TS");
    at.log.push_back("IKEv2:(SA ID = 1):Sending TS unacceptable notify");
  }
  return false;
}

Credentials credentials_for(const Scenario& s, std::size_t peer, const std::vector<std::string>& ca_pem,
                            const std::function<std::optional<OwnPem>(const std::string& trustpoint)>& own) {
  Credentials c;
  if (ca_pem.size() != s.cas.size()) throw std::invalid_argument("one CA certificate per scenario CA");
  for (std::size_t i = 0; i < s.cas.size(); ++i) c.add_ca(s.cas[i].id, ca_pem[i]);
  for (const IdentityCert& cert : s.peers.at(peer).certificates)
    if (auto pem = own(cert.trustpoint)) {
      if (pem->key) c.add_own(cert.trustpoint, pem->cert_pem, pem->key);
      else c.add_own(cert.trustpoint, pem->cert_pem, pem->key_pem);
    }
  return c;
}

}  // namespace ikeconform::peer
