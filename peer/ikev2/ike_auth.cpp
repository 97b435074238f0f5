// IKE_AUTH (RFC 7296 §1.2, §2.15, §3.5-3.8, §3.13) with the CHILD SA it creates:
//   request   HDR, SK {IDi, [CERT,] [N(INITIAL_CONTACT),] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr}
//   response  HDR, SK {IDr, [CERT,] AUTH, SAr2, TSi, TSr}
//             HDR, SK {N(AUTHENTICATION_FAILED)}                       the IKE SA fails
//             HDR, SK {IDr, [CERT,] AUTH, N(NO_PROPOSAL_CHOSEN | TS_UNACCEPTABLE)}   only the CHILD SA
//
// AUTH (§2.15): InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload),
// ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload), signed
// with RSASSA-PKCS1-v1_5: method 1 with SHA-1; method 14 (RFC 7427) with SHA-256 and the
// AlgorithmIdentifier in front of the signature.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

#include "peer/ikev2/ike_sa.hpp"

namespace ikeconform::peer::ikev2 {

namespace k = wire::ikev2;

namespace {

// DER AlgorithmIdentifier {sha*WithRSAEncryption, NULL} (RFC 7427 Appendix A.1).
struct SigAlg {
  crypto::Hash hash;
  std::uint16_t rfc7427_hash;  // SIGNATURE_HASH_ALGORITHMS value
  Bytes der;
};
const std::vector<SigAlg>& sig_algs() {
  static const std::vector<SigAlg> kAlgs = {
      {crypto::Hash::Sha256,
       2,
       {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00}},
      {crypto::Hash::Sha384,
       3,
       {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00}},
      {crypto::Hash::Sha512,
       4,
       {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00}},
      {crypto::Hash::Sha1,
       1,
       {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00}},
  };
  return kAlgs;
}

Payload notify(std::uint16_t type, Bytes data = {}) {
  return {k::kN, false, wire::NotifyV2{0, type, {}, std::move(data)}};
}

Bytes id_body(const wire::IdV2& id) {  // RestOf...IDPayload: ID Type | RESERVED | data
  Bytes b{id.type, 0, 0, 0};
  b.insert(b.end(), id.data.begin(), id.data.end());
  return b;
}

wire::AuthV2 sign(const IkeSa& sa, const Context& c, EVP_PKEY* key, const wire::IdV2& id) {
  const Bytes octets = signed_octets(sa, sa.role, id);
  const bool rfc7427 = c.config.auth_method == k::kAuthDigitalSignature &&
                       std::find(sa.peer_hashes.begin(), sa.peer_hashes.end(), 2) != sa.peer_hashes.end();
  if (!rfc7427) return {k::kAuthRsaSig, crypto::rsa_sign(key, crypto::Hash::Sha1, octets)};
  const SigAlg& alg = sig_algs().front();  // SHA-256
  Bytes data{static_cast<std::uint8_t>(alg.der.size())};
  data.insert(data.end(), alg.der.begin(), alg.der.end());
  const Bytes sig = crypto::rsa_sign(key, alg.hash, octets);
  data.insert(data.end(), sig.begin(), sig.end());
  return {k::kAuthDigitalSignature, std::move(data)};
}

// Empty when the AUTH verifies, else why not.
std::string verify(const IkeSa& sa, Role signer, const wire::IdV2& id, const wire::AuthV2& auth, EVP_PKEY* key) {
  const Bytes octets = signed_octets(sa, signer, id);
  if (auth.method == k::kAuthRsaSig)
    return crypto::rsa_verify(key, crypto::Hash::Sha1, octets, auth.data) ? ""
                                                                          : "RSA signature (method 1) does not verify";
  if (auth.method == k::kAuthDigitalSignature) {
    if (auth.data.empty() || auth.data[0] + 1U > auth.data.size())
      return "AUTH (method 14) ASN.1 length exceeds the data";
    const Bytes algid(auth.data.begin() + 1, auth.data.begin() + 1 + auth.data[0]);
    const crypto::View sig(auth.data.data() + 1 + auth.data[0], auth.data.size() - 1 - auth.data[0]);
    for (const SigAlg& a : sig_algs())
      if (a.der == algid)
        return crypto::rsa_verify(key, a.hash, octets, sig)
                   ? ""
                   : fmt::format("{} RSA signature (RFC 7427) does not verify", crypto::hash_name(a.hash));
    return "AUTH (method 14) names a signature algorithm we do not implement";
  }
  return fmt::format("AUTH method {} is not implemented", auth.method);
}

std::string auth_name(const wire::AuthV2& a) {
  return a.method == k::kAuthRsaSig             ? "RSA signature"
         : a.method == k::kAuthDigitalSignature ? "RFC 7427 signature"
                                                : "AUTH";
}

const Payload* find(const std::vector<Payload>& ps, std::uint8_t type) {
  for (const Payload& p : ps)
    if (p.type == type) return &p;
  return nullptr;
}

std::optional<std::uint16_t> error_notify(const std::vector<Payload>& ps) {
  for (const Payload& p : ps)
    if (p.type == k::kN) {
      const auto& n = std::get<wire::NotifyV2>(p.body);
      if (n.type < 16384) return n.type;
    }
  return std::nullopt;
}

std::string notify_text(std::uint16_t type) {
  const std::string_view n = wire::notify_name(IkeVersion::V2, type);
  return n.empty() ? fmt::format("notify {}", type) : std::string(n);
}

void fail(IkeSa& sa, std::optional<std::uint16_t> error, std::string reason) {
  sa.outcome.failed_at = "IKE_AUTH";
  sa.outcome.error = error;
  sa.outcome.reason = std::move(reason);
  sa.log(sa.outcome.reason);
}

// Own certificate for the peer's CERTREQ, as the policy decides; nullopt: none to send.
// IDr: the bound profile's identity (the policy's), else the configured one. The initiator
// always presents Config::local_id (its tunnel profile's).
// Our ID: the configured one, the bound profile's for a responder, or the id_not_in_cert bug's.
// An initiator presents Config::local_id unless its policy sends a DN, which no configuration can
// carry: it is the subject of the certificate chosen (so the policy is asked after the choice).
wire::IdV2 local_identity(IkeSa& sa, const Context& c, Message m) {
  if (c.config.bugs.id_not_in_cert) {
    sa.log(fmt::format("protocol bug id_not_in_cert: claiming '{}'", kIdNotInCert));
    return {k::kIdFqdn, Bytes(kIdNotInCert.begin(), kIdNotInCert.end())};
  }
  wire::IdV2 id = c.config.local_id;
  if (auto own = c.policy.local_identity(cert_step(sa, m));
      own && (sa.role == Role::Responder || own->first == k::kIdDerAsn1Dn))
    std::tie(id.type, id.data) = *own;
  return id;
}

std::optional<std::size_t> choose_certificate(IkeSa& sa, const Context& c) {
  const auto chosen = c.policy.choose_certificate(cert_step(sa, Message::IKE_AUTH));
  if (!chosen) {
    sa.log("no certificate to send: Failed to build certificate payload");
    return std::nullopt;
  }
  sa.our_cert = chosen;
  return chosen;
}

// The CERT payload of our certificate when the policy sends it (several with the cert_* bugs).
void add_certificate(IkeSa& sa, const Context& c, std::size_t own, std::vector<Payload>& out) {
  if (!c.policy.sends_certificate(cert_step(sa, Message::IKE_AUTH))) return;
  for (wire::Cert& cert : cert_payloads(c.config.bugs, c.creds, own, sa.trace))
    out.push_back({k::kCERT, false, std::move(cert)});
  sa.log("sending end entity cert \"" + certificate_subject(c.creds.own().at(own).der) + "\"");
}

// Why the peer's IKE_AUTH was refused.
enum class Refusal { None, NoProfile, Certificate, Authentication };

// The peer's identity (the responder binds its profile from it, V2-9), certificate and AUTH.
Refusal authenticate_peer(IkeSa& sa, const Context& c, const std::vector<Payload>& ps, std::uint8_t id_type,
                          std::string& why) {
  const Payload* id = find(ps, id_type);
  const Payload* auth = find(ps, k::kAUTH);
  if (!id || !auth) {
    why = "no ID or AUTH payload";
    return Refusal::Authentication;
  }
  sa.peer_id = std::get<wire::IdV2>(id->body);
  sa.received.peer_id_type = sa.peer_id.type;
  sa.received.peer_id = sa.peer_id.data;
  if (c.config.remote_id && !(*c.config.remote_id == sa.peer_id)) {
    why = "peer identity '" + id_text(sa.peer_id) + "' is not the configured '" + id_text(*c.config.remote_id) + "'";
    return Refusal::NoProfile;
  }
  const Payload* cert = nullptr;
  for (const Payload& p : ps)
    if (p.type == k::kCERT && std::get<wire::Cert>(p.body).encoding == wire::kCertX509Signature) {
      cert = &p;  // the first X.509 CERT is the end entity (§3.6)
      break;
    }
  // Recorded before the binding: a `match certificate` map reads the certificate that came with the ID.
  if (cert) sa.received.peer_cert = sa.peer_cert = std::get<wire::Cert>(cert->body).data;
  const CertStep at = cert_step(sa, Message::IKE_AUTH);
  if (sa.role == Role::Responder && !c.policy.bind_profile(at)) {
    why = "no profile matches peer identity '" + id_text(sa.peer_id) + "'";
    return Refusal::NoProfile;
  }
  const auto anchor = check_peer_certificate(c.policy, at, c.creds, cert ? &sa.peer_cert : nullptr, why);
  if (!anchor) {
    why = "certificate status is not available or invalid: " +
          (cert ? why : "no X.509 certificate from the peer (hash-and-URL is not followed)");
    return Refusal::Certificate;
  }
  sa.validated_by = anchor;
  sa.log("using trusted ca certificate \"" + certificate_subject(c.creds.cas().at(*sa.validated_by).der) + "\"");
  const Pkey key = certificate_key(sa.peer_cert);
  if (!key) {
    why = "peer certificate has no usable public key";
    return Refusal::Authentication;
  }
  const auto& a = std::get<wire::AuthV2>(auth->body);
  why = verify(sa, sa.role == Role::Initiator ? Role::Responder : Role::Initiator, sa.peer_id, a, key.get());
  if (!why.empty()) return Refusal::Authentication;
  sa.log("authentication of '" + id_text(sa.peer_id) + "' with " + auth_name(a) + " successful");
  return Refusal::None;
}

std::vector<wire::TrafficSelector> selectors(const std::vector<Payload>& ps, std::uint8_t type) {
  const Payload* p = find(ps, type);
  return p ? std::get<wire::TsV2>(p->body).selectors : std::vector<wire::TrafficSelector>{};
}

bool any_contains(const std::vector<wire::TrafficSelector>& offered, const wire::TrafficSelector& ours) {
  return std::any_of(offered.begin(), offered.end(),
                     [&](const wire::TrafficSelector& o) { return ts_within(ours, o); });
}

}  // namespace

Bytes signed_octets(const IkeSa& sa, Role signer, const wire::IdV2& id) {
  const bool i = signer == Role::Initiator;
  const Bytes maced = crypto::hmac(prf_hash(sa.suite.prf), i ? sa.keys.sk_pi : sa.keys.sk_pr, id_body(id));
  return crypto::concat({i ? sa.init_request : sa.init_response, i ? sa.nr : sa.ni, maced});
}

std::string id_text(const wire::IdV2& id) {
  switch (id.type) {
    case k::kIdFqdn:
    case k::kIdRfc822Addr: return std::string(id.data.begin(), id.data.end());
    case k::kIdIpv4Addr:
      if (id.data.size() == 4) return fmt::format("{}.{}.{}.{}", id.data[0], id.data[1], id.data[2], id.data[3]);
      break;
    case k::kIdDerAsn1Dn: return wire::ios_dn_from_der(id.data);
    default: break;
  }
  return fmt::format("(ID type {}, {} octets)", id.type, id.data.size());
}

bool ts_within(const wire::TrafficSelector& in, const wire::TrafficSelector& out) {
  return in.type == out.type && (out.ip_protocol == 0 || out.ip_protocol == in.ip_protocol) &&
         out.start_port <= in.start_port && in.end_port <= out.end_port &&
         in.start_address.size() == out.start_address.size() && out.start_address <= in.start_address &&
         in.end_address <= out.end_address;
}

std::vector<Payload> ike_auth_build_i(IkeSa& sa, const Context& c) {
  std::vector<Payload> out;
  const auto cert = choose_certificate(sa, c);
  if (!cert) return {};  // IOS: "Failed to build certificate payload", no IKE_AUTH goes out
  const wire::IdV2 local = local_identity(sa, c, Message::IKE_AUTH);  // after the choice: a DN is its subject
  out.push_back({k::kIDi, false, local});
  add_certificate(sa, c, *cert, out);
  out.push_back(notify(k::kInitialContact));
  for (Payload& cr : certreq_payloads(sa, c, Message::IKE_AUTH)) out.push_back(std::move(cr));
  if (const auto& idr = c.config.idr ? c.config.idr : c.config.remote_id) out.push_back({k::kIDr, false, *idr});
  out.push_back({k::kAUTH, false, sign(sa, c, c.creds.own().at(*cert).key.get(), local)});
  sa.esp_spi_ours = crypto::random_bytes(4);
  wire::SaV2 offer;
  for (std::size_t i = 0; i < c.config.esp.size(); ++i)
    offer.proposals.push_back(esp_proposal(c.config.esp[i], static_cast<std::uint8_t>(i + 1), sa.esp_spi_ours));
  out.push_back({k::kSA, false, offer});
  out.push_back({k::kTSi, false, wire::TsV2{{c.config.local_ts}}});
  out.push_back({k::kTSr, false, wire::TsV2{{c.config.remote_ts}}});
  sa.log("establishing CHILD_SA");
  return out;
}

std::vector<Payload> ike_auth_process_r(IkeSa& sa, const Context& c, const std::vector<Payload>& request) {
  if (c.config.planted_abort_certreq_hashes > 0) {  // fuzz-peer's planted defect (ike_sa.hpp)
    std::size_t hashes = 0;
    for (const Payload& p : request)
      if (const auto* r = std::get_if<wire::CertRequest>(&p.body)) hashes += r->authority.size() / wire::kSha1Size;
    if (hashes >= c.config.planted_abort_certreq_hashes) std::abort();
  }
  note_certreqs(sa, request);
  std::string bad;
  if (authenticate_peer(sa, c, request, k::kIDi, bad) != Refusal::None) {
    fail(sa, k::kAuthenticationFailed, bad + ", sending AUTHENTICATION_FAILED");
    return {notify(k::kAuthenticationFailed)};
  }
  std::vector<Payload> out;
  const auto cert = choose_certificate(sa, c);
  if (!cert) {  // IOS builds no response ("Failed to build certificate payload"); the initiator times out
    fail(sa, std::nullopt, "no certificate to send");
    return {};
  }
  const wire::IdV2 local = local_identity(sa, c, Message::IKE_AUTH);  // after the choice: a DN is its subject
  out.push_back({k::kIDr, false, local});
  add_certificate(sa, c, *cert, out);
  out.push_back({k::kAUTH, false, sign(sa, c, c.creds.own().at(*cert).key.get(), local)});
  sa.outcome.ike_sa = true;
  sa.log(fmt::format("IKE_SA established between {}[{}]...{}[{}]", sa.ends.local_address, id_text(local),
                     sa.ends.remote_address, id_text(sa.peer_id)));
  // The CHILD SA: one ESP proposal, and our networks within what the initiator proposed.
  const Payload* sa_p = find(request, k::kSA);
  const auto esp = sa_p ? select_esp(std::get<wire::SaV2>(sa_p->body), c.config.esp) : std::nullopt;
  if (!esp) {
    sa.log("no acceptable proposal found for the CHILD_SA, sending NO_PROPOSAL_CHOSEN");
    sa.outcome.error = k::kNoProposalChosen;
    out.push_back(notify(k::kNoProposalChosen));
    return out;
  }
  // TSi is the initiator's side: our remote network; TSr ours (§2.9). No IPsec policy under
  // the bound profile (V2-10) is the same answer.
  if (!c.policy.ipsec_policy(cert_step(sa, Message::IKE_AUTH)) ||
      !any_contains(selectors(request, k::kTSi), c.config.remote_ts) ||
      !any_contains(selectors(request, k::kTSr), c.config.local_ts)) {
    sa.log("traffic selectors unacceptable, sending TS_UNACCEPTABLE");
    sa.outcome.error = k::kTsUnacceptable;
    out.push_back(notify(k::kTsUnacceptable));
    return out;
  }
  sa.esp_spi_peer = esp->second->spi;
  sa.esp_spi_ours = crypto::random_bytes(4);
  wire::SaV2 answer;
  answer.proposals.push_back(esp_proposal(esp->first, esp->second->number, sa.esp_spi_ours));
  out.push_back({k::kSA, false, answer});
  out.push_back({k::kTSi, false, wire::TsV2{{c.config.remote_ts}}});
  out.push_back({k::kTSr, false, wire::TsV2{{c.config.local_ts}}});
  sa.outcome.child_sa = true;
  sa.log("CHILD_SA established");
  return out;
}

void ike_auth_process_i(IkeSa& sa, const Context& c, const std::vector<Payload>& response) {
  note_certreqs(sa, response);
  const auto error = error_notify(response);
  if (!find(response, k::kAUTH)) {
    fail(sa, error, error ? "received " + notify_text(*error) + " notify error" : "IKE_AUTH response without AUTH");
    return;
  }
  std::string bad;
  if (authenticate_peer(sa, c, response, k::kIDr, bad) != Refusal::None) {
    // §2.21.2: the initiator that rejects the responder's AUTH deletes the IKE SA; it may send
    // AUTHENTICATION_FAILED in an INFORMATIONAL (the session does).
    fail(sa, k::kAuthenticationFailed, bad);
    return;
  }
  sa.outcome.ike_sa = true;
  sa.log(fmt::format("IKE_SA established between {}[{}]...{}[{}]", sa.ends.local_address, id_text(c.config.local_id),
                     sa.ends.remote_address, id_text(sa.peer_id)));
  if (error) {
    sa.outcome.error = error;
    sa.log("received " + notify_text(*error) + " notify, no CHILD_SA built");
    return;
  }
  const Payload* sa_p = find(response, k::kSA);
  const auto esp = sa_p ? select_esp(std::get<wire::SaV2>(sa_p->body), c.config.esp) : std::nullopt;
  const auto tsi = selectors(response, k::kTSi), tsr = selectors(response, k::kTSr);
  const bool ts_ok = !tsi.empty() && !tsr.empty() && std::all_of(tsi.begin(), tsi.end(), [&](const auto& t) {
    return ts_within(t, c.config.local_ts);
  }) && std::all_of(tsr.begin(), tsr.end(), [&](const auto& t) { return ts_within(t, c.config.remote_ts); });
  if (!esp || std::get<wire::SaV2>(sa_p->body).proposals.size() != 1 || !ts_ok) {
    sa.log("the responder's CHILD_SA proposal or traffic selectors are not within ours");
    return;
  }
  sa.esp_spi_peer = esp->second->spi;
  sa.outcome.child_sa = true;
  sa.log("CHILD_SA established");
}

}  // namespace ikeconform::peer::ikev2
