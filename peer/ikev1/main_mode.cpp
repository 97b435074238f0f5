// Main Mode with signatures (RFC 2409 §5.1), initiator:
//   MM1  HDR, SA                      MM2  HDR, SA
//   MM3  HDR, KE, Ni [, CERT_REQ]     MM4  HDR, KE, Nr [, CERT_REQ]
//   MM5  HDR*, IDii, [CERT,] SIG_I    MM6  HDR*, IDir, [CERT,] SIG_R
// HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
// HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
#include <fmt/format.h>

#include <algorithm>

#include "peer/ikev1/isakmp_sa.hpp"

namespace ikeconform::peer::ikev1 {

namespace k = wire::ikev1;

namespace {

constexpr std::size_t kNonceSize = 32;
constexpr std::uint8_t kNatD = 20;  // RFC 3947 §3.1
// RFC 3947 §2: the Vendor ID is MD5("RFC 3947").
const Bytes kRfc3947Vid = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                           0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};

// RFC 3947 §3.2: HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash.
Bytes nat_d(const IsakmpSa& sa, const std::string& address, std::uint16_t port) {
  Bytes ip;
  std::size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    const std::size_t dot = address.find('.', at);
    ip.push_back(static_cast<std::uint8_t>(std::stoul(address.substr(at, dot - at))));
    at = dot + 1;
  }
  const Bytes p{static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port)};
  return crypto::digest(hash_of(sa.suite.hash), crypto::concat({sa.cky_i, sa.cky_r, ip, p}));
}

wire::SaV1 phase1_sa(const Suite& s) {
  wire::TransformV1 t{
      1,
      k::kKeyIke,
      {wire::Attribute::basic(k::kAttrEncryption, k::kEncAes), wire::Attribute::basic(k::kAttrKeyLength, s.key_bits),
       wire::Attribute::basic(k::kAttrHash, s.hash), wire::Attribute::basic(k::kAttrAuthMethod, k::kAuthRsaSig),
       wire::Attribute::basic(k::kAttrGroup, s.group), wire::Attribute::basic(k::kAttrLifeType, k::kLifeSeconds),
       wire::Attribute::basic(k::kAttrLifeDuration, s.lifetime)}};
  return wire::SaV1{k::kDoiIpsec, k::kSitIdentityOnly, {wire::ProposalV1{1, k::kProtoIsakmp, {}, {t}}}};
}

// A payload's body: its encoding without the generic header (RFC 2409's "_b").
Bytes body_of(const Payload& p) {
  Bytes b = wire::encode_payloads(IkeVersion::V1, {p});
  b.erase(b.begin(), b.begin() + wire::kGenericHeaderSize);
  return b;
}

const Payload* find(const std::vector<Payload>& ps, std::uint8_t type) {
  for (const Payload& p : ps)
    if (p.type == type) return &p;
  return nullptr;
}

void fail(IsakmpSa& sa, const char* at, std::string reason) {
  sa.outcome.failed_at = at;
  sa.outcome.reason = std::move(reason);
  sa.log(std::string(at) + ": " + sa.outcome.reason);
}

std::optional<std::uint16_t> attribute(const wire::TransformV1& t, std::uint16_t type) {
  for (const wire::Attribute& a : t.attributes)
    if (a.type == type && a.tv) return a.value;
  return std::nullopt;
}

Bytes hash_i_or_r(const IsakmpSa& sa, bool initiator, const Bytes& id_b) {
  const Bytes& gxi = sa.gxi;
  return crypto::hmac(hash_of(sa.suite.hash), sa.keys.skeyid,
                      initiator ? crypto::concat({gxi, sa.gxr, sa.cky_i, sa.cky_r, sa.sai_b, id_b})
                                : crypto::concat({sa.gxr, gxi, sa.cky_r, sa.cky_i, sa.sai_b, id_b}));
}

// Keys from the peer's public value (RFC 2409 §5, Appendix B).
bool derive(IsakmpSa& sa, const Bytes& peer_public, const char* at) {
  try {
    const Bytes gxy = sa.dh->shared_secret(peer_public);
    sa.keys = crypto::ikev1_keys_signature(hash_of(sa.suite.hash), sa.suite.key_bits / 8U, 16, sa.ni, sa.nr, gxy,
                                           sa.cky_i, sa.cky_r, sa.gxi, sa.gxr);
  } catch (const crypto::CryptoError& e) {
    fail(sa, at, std::string("KE rejected: ") + e.what());
    return false;
  }
  sa.iv = sa.keys.iv;
  return true;
}

CertStep step(IsakmpSa& sa, Message m, Role role) { return CertStep{m, role, sa.received, sa.trace}; }

// The peer's X.509 CERT_REQs, one DER Name each (RFC 2408 §3.10), for the policy's next steps.
void note_certreqs(IsakmpSa& sa, const std::vector<const Payload*>& crs) {
  for (const Payload* p : crs) {
    const auto& cr = std::get<wire::CertRequest>(p->body);
    sa.received.certreq_payload = true;
    if (cr.encoding != wire::kCertX509Signature) continue;
    sa.received.certreqs.push_back(cr.authority);
    sa.log("received cert request for \"" + wire::ios_dn_from_der(cr.authority) + "\"");
  }
}

// The CERT_REQs the policy puts into message `m`, one per CA (an empty one: any CA).
void add_certreqs(IsakmpSa& sa, const Context& c, Message m, Role role, std::vector<Payload>& out) {
  auto names = c.policy.certreq(step(sa, m, role));
  if (!names) return;
  for (auto& payload : certreq_payloads(c.config.bugs, IkeVersion::V1, std::move(*names), sa.trace)) {
    Bytes dn = payload.empty() ? Bytes{} : std::move(payload.front());
    if (!dn.empty()) sa.log("sending cert request for \"" + wire::ios_dn_from_der(dn) + "\"");
    out.push_back({k::kCR, false, wire::CertRequest{wire::kCertX509Signature, std::move(dn)}});
  }
}

// NAT-D of a received MM3 / MM4: the first names the receiver as the sender saw it, the
// others the sender (RFC 3947 §3.2). A mismatch moves us to port 4500.
void check_nat(IsakmpSa& sa, const std::vector<const Payload*>& natd) {
  if (!sa.nat_t || natd.size() < 2) return;
  const bool we_are_seen = std::get<wire::Raw>(natd[0]->body).data == nat_d(sa, sa.local_address, 500);
  bool peer_seen = false;
  for (std::size_t i = 1; i < natd.size(); ++i)
    peer_seen = peer_seen || std::get<wire::Raw>(natd[i]->body).data == nat_d(sa, sa.remote_address, 500);
  if (!we_are_seen || !peer_seen) {
    sa.port = 4500;
    sa.log(!we_are_seen ? "local host is behind NAT, switching to port 4500"
                        : "remote host is behind NAT, switching to port 4500");
  }
}

// Why the peer's MM5 / MM6 was refused.
enum class Refusal { None, NoProfile, Certificate, Signature };

// The ID, CERT and SIG of MM5 (the responder binds its profile from the ID first, V1-8) or MM6.
Refusal authenticate_peer(IsakmpSa& sa, const Context& c, const std::vector<Payload>& ps, Message m, Role role,
                          std::string& why) {
  const Payload* id = find(ps, k::kID);
  const Payload* sig = find(ps, k::kSIG);
  const Payload* cert = find(ps, k::kCERT);
  if (!id || !sig) {
    why = "no ID or SIG";
    return Refusal::Signature;
  }
  const auto& peer_id = std::get<wire::IdV1>(id->body);
  sa.received.peer_id_type = peer_id.type;
  sa.received.peer_id = peer_id.data;
  if (c.config.remote_id && !(*c.config.remote_id == peer_id)) {
    why = "the peer's ID is not the configured one";
    return Refusal::NoProfile;
  }
  // Recorded before the binding: a `match certificate` map reads the certificate that came with the ID.
  if (cert) sa.received.peer_cert = sa.peer_cert = std::get<wire::Cert>(cert->body).data;
  const CertStep at = step(sa, m, role);
  if (role == Role::Responder && !c.policy.bind_profile(at)) {
    why = "no profile matches the peer's ID";
    return Refusal::NoProfile;
  }
  const auto anchor = check_peer_certificate(c.policy, at, c.creds, cert ? &sa.peer_cert : nullptr, why);
  if (!anchor) {
    why = "certificate not trusted: " + why;
    return Refusal::Certificate;
  }
  sa.validated_by = anchor;
  const Pkey key = certificate_key(sa.peer_cert);
  const bool peer_is_initiator = role == Role::Responder;
  if (!key || !crypto::rsa_verify_raw(key.get(), hash_i_or_r(sa, peer_is_initiator, body_of(*id)),
                                      std::get<wire::Raw>(sig->body).data)) {
    why = peer_is_initiator ? "SIG_I does not verify" : "SIG_R does not verify";
    return Refusal::Signature;
  }
  sa.log("authentication of the peer with RSA signature successful");
  return Refusal::None;
}

// Our ID, CERT and SIG for MM5 / MM6; nullopt when there is no certificate to sign with.
std::optional<std::vector<Payload>> our_identity(IsakmpSa& sa, const Context& c, Message m, Role role) {
  std::vector<Payload> ps;
  // The certificate first: a DN identity is its subject (V1-11, `self-identity dn`).
  sa.our_cert = c.policy.choose_certificate(step(sa, m, role));
  if (!sa.our_cert) {
    sa.log("no certificate to send: Failed to build certificate payload");
    return std::nullopt;
  }
  wire::IdV1 local = c.config.local_id;
  // A responder: the bound profile's `self-identity` (V1-11). An initiator: the configured one (its
  // tunnel profile's) unless the policy sends a DN, which no configuration can carry.
  if (auto own = c.policy.local_identity(step(sa, m, role));
      own && (role == Role::Responder || own->first == k::kIdDerAsn1Dn))
    std::tie(local.type, local.data) = *own;
  if (c.config.bugs.id_not_in_cert) {  // an FQDN our certificate does not carry, signed over
    local.type = k::kIdFqdn;
    local.data.assign(kIdNotInCert.begin(), kIdNotInCert.end());
    sa.log(fmt::format("protocol bug id_not_in_cert: claiming '{}'", kIdNotInCert));
  }
  const Payload id{k::kID, false, local};
  ps.push_back(id);
  const OwnCert& own = c.creds.own().at(*sa.our_cert);
  if (c.policy.sends_certificate(step(sa, m, role))) {
    for (wire::Cert& cert : cert_payloads(c.config.bugs, c.creds, *sa.our_cert, sa.trace))
      ps.push_back({k::kCERT, false, std::move(cert)});
    sa.log("sending end entity cert \"" + certificate_subject(own.der) + "\"");
  }
  ps.push_back({k::kSIG, false,
                wire::Raw{crypto::rsa_sign_raw(own.key.get(), hash_i_or_r(sa, role == Role::Initiator, body_of(id)))}});
  if (role == Role::Initiator) add_certreqs(sa, c, m, role, ps);  // strongSwan and Libreswan ask here
  return ps;
}

}  // namespace

IkeMessage mm1_build_i(IsakmpSa& sa, const Context& c) {
  c.policy.begin(Role::Initiator);
  sa.suite = c.config.suite;
  const Bytes cky = crypto::random_bytes(8);
  std::copy(cky.begin(), cky.end(), sa.cky_i.begin());
  const Payload sa_p{k::kSA, false, phase1_sa(sa.suite)};
  sa.sai_b = body_of(sa_p);
  IkeMessage m;
  m.header = header_for(sa, k::kIdentityProtection, 0, false);
  m.payloads.push_back(sa_p);
  if (c.config.nat_traversal) m.payloads.push_back({k::kVID, false, wire::Raw{kRfc3947Vid}});
  sa.log(fmt::format("initiating Main Mode IKE_SA: AES_CBC_{}/hash {}/group {}/RSA signature", sa.suite.key_bits,
                     sa.suite.hash, sa.suite.group));
  return m;
}

bool mm2_process_i(IsakmpSa& sa, const Context&, const IkeMessage& m) {
  const Payload* p = m.find(k::kSA);
  if (!p || m.header.rspi == wire::Spi{}) {
    fail(sa, "MM2", "no SA payload or no responder cookie");
    return false;
  }
  const auto& answer = std::get<wire::SaV1>(p->body);
  if (answer.proposals.size() != 1 || answer.proposals[0].transforms.size() != 1) {
    fail(sa, "MM2", "the responder must choose exactly one transform (RFC 2408 §4.2)");
    return false;
  }
  const wire::TransformV1& t = answer.proposals[0].transforms[0];
  if (attribute(t, k::kAttrEncryption) != k::kEncAes || attribute(t, k::kAttrKeyLength) != sa.suite.key_bits ||
      attribute(t, k::kAttrHash) != sa.suite.hash || attribute(t, k::kAttrAuthMethod) != k::kAuthRsaSig ||
      attribute(t, k::kAttrGroup) != sa.suite.group) {
    fail(sa, "MM2", "the responder chose a transform we did not offer");
    return false;
  }
  sa.cky_r = m.header.rspi;
  for (const Payload* v : m.all(k::kVID))
    if (std::get<wire::Raw>(v->body).data == kRfc3947Vid) sa.nat_t = true;
  return true;
}

IkeMessage mm3_build_i(IsakmpSa& sa, const Context& c) {
  sa.dh = std::make_shared<const crypto::DhKey>(crypto::DhKey::generate(sa.suite.group));
  sa.ni = crypto::random_bytes(kNonceSize);
  IkeMessage m;
  m.header = header_for(sa, k::kIdentityProtection, 0, false);
  m.payloads.push_back({k::kKE, false, wire::Raw{sa.dh->public_value()}});
  m.payloads.push_back({k::kNONCE, false, wire::Raw{sa.ni}});
  if (sa.nat_t) {  // the peer's address as we send to it, then ours (RFC 3947 §3.2)
    m.payloads.push_back({kNatD, false, wire::Raw{nat_d(sa, sa.remote_address, 500)}});
    m.payloads.push_back({kNatD, false, wire::Raw{nat_d(sa, sa.local_address, 500)}});
  }
  add_certreqs(sa, c, Message::MM3, Role::Initiator, m.payloads);
  return m;
}

bool mm4_process_i(IsakmpSa& sa, const Context& c, const IkeMessage& m) {
  const Payload* ke = m.find(k::kKE);
  const Payload* nr = m.find(k::kNONCE);
  if (!ke || !nr) {
    fail(sa, "MM4", "no KE or Nr");
    return false;
  }
  note_certreqs(sa, m.all(k::kCR));
  c.policy.choose_certificate(step(sa, Message::MM4, Role::Initiator));  // IOS picks on the CERT_REQs (V1-5)
  check_nat(sa, m.all(kNatD));
  sa.gxi = sa.dh->public_value();
  sa.gxr = std::get<wire::Raw>(ke->body).data;
  sa.nr = std::get<wire::Raw>(nr->body).data;
  return derive(sa, sa.gxr, "MM4");
}

std::optional<std::vector<Payload>> mm5_payloads_i(IsakmpSa& sa, const Context& c) {
  auto ps = our_identity(sa, c, Message::MM5, Role::Initiator);
  if (!ps) fail(sa, "MM5", "no certificate to send (Failed to build certificate payload)");
  return ps;
}

std::optional<Bytes> mm5_build_i(IsakmpSa& sa, const Context& c) {
  auto ps = mm5_payloads_i(sa, c);
  if (!ps) return std::nullopt;
  return seal(sa, header_for(sa, k::kIdentityProtection, 0, true), *ps, sa.iv);
}

bool mm6_process_i(IsakmpSa& sa, const Context& c, const IkeMessage& m) {
  std::vector<Payload> ps;
  try {
    ps = open(sa, m, sa.iv);
  } catch (const std::exception& e) {
    fail(sa, "MM6", e.what());
    return false;
  }
  std::string bad;
  if (authenticate_peer(sa, c, ps, Message::MM6, Role::Initiator, bad) != Refusal::None) {
    fail(sa, "MM6", bad);
    return false;
  }
  sa.log("ISAKMP SA established");
  sa.outcome.isakmp_sa = true;
  return true;
}

// ---- Responder -------------------------------------------------------------------------------------

std::optional<IkeMessage> mm1_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m, const Bytes& raw) {
  c.policy.begin(Role::Responder);
  sa.suite = c.config.suite;
  sa.cky_i = m.header.ispi;
  const Payload* p = m.find(k::kSA);
  const auto sai_b = raw_body(raw, k::kSA);
  if (!p || !sai_b) {
    fail(sa, "MM1", "no SA payload");
    return std::nullopt;
  }
  // The first transform that is exactly our suite, echoed as received (RFC 2408 §4.2).
  std::optional<std::pair<const wire::ProposalV1*, const wire::TransformV1*>> chosen;
  for (const wire::ProposalV1& prop : std::get<wire::SaV1>(p->body).proposals)
    for (const wire::TransformV1& t : prop.transforms)
      if (!chosen && prop.protocol == k::kProtoIsakmp && attribute(t, k::kAttrEncryption) == k::kEncAes &&
          attribute(t, k::kAttrKeyLength) == sa.suite.key_bits && attribute(t, k::kAttrHash) == sa.suite.hash &&
          attribute(t, k::kAttrAuthMethod) == k::kAuthRsaSig && attribute(t, k::kAttrGroup) == sa.suite.group)
        chosen = std::pair{&prop, &t};
  if (!chosen) {
    fail(sa, "MM1", "no acceptable proposal (NO_PROPOSAL_CHOSEN)");
    sa.outcome.error = k::kNoProposalChosen;
    return std::nullopt;
  }
  sa.sai_b = *sai_b;
  const Bytes cky = crypto::random_bytes(8);
  std::copy(cky.begin(), cky.end(), sa.cky_r.begin());
  for (const Payload* v : m.all(k::kVID))
    if (c.config.nat_traversal && std::get<wire::Raw>(v->body).data == kRfc3947Vid) sa.nat_t = true;
  IkeMessage r;
  r.header = header_for(sa, k::kIdentityProtection, 0, false);
  wire::ProposalV1 prop = *chosen->first;
  prop.transforms = {*chosen->second};
  r.payloads.push_back({k::kSA, false, wire::SaV1{k::kDoiIpsec, k::kSitIdentityOnly, {prop}}});
  if (sa.nat_t) r.payloads.push_back({k::kVID, false, wire::Raw{kRfc3947Vid}});
  sa.log("selected Main Mode proposal: AES_CBC/RSA signature");
  return r;
}

std::optional<IkeMessage> mm3_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m) {
  const Payload* ke = m.find(k::kKE);
  const Payload* ni = m.find(k::kNONCE);
  if (!ke || !ni) {
    fail(sa, "MM3", "no KE or Ni");
    return std::nullopt;
  }
  note_certreqs(sa, m.all(k::kCR));
  c.policy.choose_certificate(step(sa, Message::MM3, Role::Responder));  // IOS picks now (V1-5), others defer
  check_nat(sa, m.all(kNatD));
  sa.dh = std::make_shared<const crypto::DhKey>(crypto::DhKey::generate(sa.suite.group));
  sa.gxi = std::get<wire::Raw>(ke->body).data;
  sa.gxr = sa.dh->public_value();
  sa.ni = std::get<wire::Raw>(ni->body).data;
  sa.nr = crypto::random_bytes(kNonceSize);
  if (!derive(sa, sa.gxi, "MM3")) return std::nullopt;
  IkeMessage r;
  r.header = header_for(sa, k::kIdentityProtection, 0, false);
  r.payloads.push_back({k::kKE, false, wire::Raw{sa.gxr}});
  r.payloads.push_back({k::kNONCE, false, wire::Raw{sa.nr}});
  if (sa.nat_t) {
    r.payloads.push_back({kNatD, false, wire::Raw{nat_d(sa, sa.remote_address, 500)}});
    r.payloads.push_back({kNatD, false, wire::Raw{nat_d(sa, sa.local_address, 500)}});
  }
  add_certreqs(sa, c, Message::MM4, Role::Responder, r.payloads);
  return r;
}

std::optional<Bytes> mm5_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m) {
  std::vector<Payload> ps;
  try {
    ps = open(sa, m, sa.iv);
  } catch (const std::exception& e) {
    fail(sa, "MM5", e.what());
    return std::nullopt;
  }
  // strongSwan's initiator sends its CERT_REQs here, encrypted, rather than in MM3.
  std::vector<const Payload*> crs;
  for (const Payload& p : ps)
    if (p.type == k::kCR) crs.push_back(&p);
  note_certreqs(sa, crs);
  std::string bad;
  const Refusal refused = authenticate_peer(sa, c, ps, Message::MM5, Role::Responder, bad);
  if (refused != Refusal::None) {
    fail(sa, "MM5", bad);
    // RFC 2409 §5 leaves the answer open; we say why, so the initiator need not time out.
    sa.outcome.error = refused == Refusal::NoProfile ? k::kInvalidIdInformation : k::kAuthenticationFailed;
    return notify_build(sa, *sa.outcome.error);
  }
  auto mine = our_identity(sa, c, Message::MM6, Role::Responder);
  if (!mine) {
    fail(sa, "MM6", "no certificate to send (Failed to build certificate payload)");
    return std::nullopt;
  }
  Bytes mm6 = seal(sa, header_for(sa, k::kIdentityProtection, 0, true), *mine, sa.iv);
  sa.log("ISAKMP SA established");
  sa.outcome.isakmp_sa = true;
  return mm6;
}

}  // namespace ikeconform::peer::ikev1
