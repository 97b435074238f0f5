// IKE_SA_INIT (RFC 7296 §1.2, §2.6, §2.10, §2.14, §2.23):
//   request   HDR, [N(COOKIE),] SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
//             [N(IKEV2_FRAGMENTATION_SUPPORTED)], [N(SIGNATURE_HASH_ALGORITHMS)]
//   response  HDR, SAr1, KEr, Nr, N(NAT_DETECTION_*), [CERTREQ], [N(HTTP_CERT_LOOKUP_SUPPORTED)],
//             [N(IKEV2_FRAGMENTATION_SUPPORTED)], [N(SIGNATURE_HASH_ALGORITHMS)]
#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

#include "peer/ikev2/ike_sa.hpp"

namespace ikeconform::peer::ikev2 {

namespace k = wire::ikev2;

namespace {

constexpr std::size_t kNonceSize = 32;  // §2.10: at least half the prf key size; 256 bits

// RFC 7427 §4: SHA1 (1), SHA2-256 (2), SHA2-384 (3), SHA2-512 (4).
const std::vector<std::uint16_t> kOurHashes = {2, 3, 4, 1};

Payload notify(std::uint16_t type, Bytes data = {}) {
  return {k::kN, false, wire::NotifyV2{0, type, {}, std::move(data)}};
}

// §2.23: SHA-1(SPIi | SPIr | IP address | Port).
Bytes nat_hash(const wire::Spi& spi_i, const wire::Spi& spi_r, const std::string& address, std::uint16_t port) {
  in_addr a{};
  if (inet_pton(AF_INET, address.c_str(), &a) != 1) throw std::invalid_argument("not an IPv4 address: " + address);
  const auto* ip = reinterpret_cast<const std::uint8_t*>(&a.s_addr);
  const std::uint8_t p[2] = {static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port)};
  return crypto::digest(crypto::Hash::Sha1, crypto::concat({spi_i, spi_r, crypto::View(ip, 4), crypto::View(p, 2)}));
}

Bytes hash_list(const std::vector<std::uint16_t>& hashes) {
  Bytes out;
  for (std::uint16_t h : hashes) {
    out.push_back(static_cast<std::uint8_t>(h >> 8));
    out.push_back(static_cast<std::uint8_t>(h));
  }
  return out;
}

void read_notifies(IkeSa& sa, const IkeMessage& m) {
  for (const Payload* p : m.all(k::kN)) {
    const auto& n = std::get<wire::NotifyV2>(p->body);
    if (n.type == k::kIkev2FragmentationSupported) sa.peer_fragmentation = true;
    if (n.type == k::kSignatureHashAlgorithms)
      for (std::size_t i = 0; i + 1 < n.data.size(); i += 2)
        sa.peer_hashes.push_back(static_cast<std::uint16_t>((n.data[i] << 8) | n.data[i + 1]));
  }
}

// §2.23: the other end is behind a NAT when none of its NAT_DETECTION_SOURCE_IP hashes (a
// host with several addresses sends one per address) matches the address it came from; we
// are when its NAT_DETECTION_DESTINATION_IP does not match ours.
void check_nat(IkeSa& sa, const IkeMessage& m) {
  const wire::Spi& spi_r = m.is_response() ? sa.spi_r : wire::Spi{};
  const Bytes source = nat_hash(sa.spi_i, spi_r, sa.ends.remote_address, sa.ends.remote_port);
  const Bytes destination = nat_hash(sa.spi_i, spi_r, sa.ends.local_address, sa.ends.local_port);
  bool any_source = false, source_ok = false, destination_bad = false;
  for (const Payload* p : m.all(k::kN)) {
    const auto& n = std::get<wire::NotifyV2>(p->body);
    if (n.type == k::kNatDetectionSourceIp) {
      any_source = true;
      source_ok = source_ok || n.data == source;
    }
    if (n.type == k::kNatDetectionDestinationIp && n.data != destination) destination_bad = true;
  }
  if (any_source && !source_ok) sa.log("remote host is behind NAT");
  if (destination_bad) sa.log("local host is behind NAT");
}

const Bytes* raw_of(const IkeMessage& m, std::uint8_t type) {
  const Payload* p = m.find(type);
  if (!p) return nullptr;
  const auto* r = std::get_if<wire::Raw>(&p->body);
  return r ? &r->data : nullptr;
}

void derive_keys(IkeSa& sa, const Bytes& peer_public) {
  const Bytes gir = sa.dh->shared_secret(peer_public);
  sa.keys = crypto::ikev2_keys(prf_hash(sa.suite.prf), key_sizes(sa.suite), sa.ni, sa.nr, gir, sa.spi_i, sa.spi_r);
}

void fail(IkeSa& sa, std::optional<std::uint16_t> error, std::string reason) {
  sa.outcome.failed_at = "IKE_SA_INIT";
  sa.outcome.error = error;
  sa.outcome.reason = std::move(reason);
  sa.log(sa.outcome.reason);
}

std::string notify_text(std::uint16_t type) {
  const std::string_view n = wire::notify_name(IkeVersion::V2, type);
  return n.empty() ? fmt::format("notify {}", type) : std::string(n);
}

}  // namespace

namespace {
std::string hex(const Bytes& b) {
  std::string out;
  for (std::uint8_t x : b) out += fmt::format("{:02x}", x);
  return out;
}
}  // namespace

CertStep cert_step(IkeSa& sa, Message m) { return CertStep{m, sa.role, sa.received, sa.trace}; }

void note_certreqs(IkeSa& sa, const std::vector<Payload>& payloads) {
  for (const Payload& p : payloads) {
    if (p.type != k::kCERTREQ) continue;
    sa.received.certreq_payload = true;
    const auto& cr = std::get<wire::CertRequest>(p.body);
    if (cr.encoding != wire::kCertX509Signature) continue;
    // §3.7: a concatenation of 20-octet SHA-1 hashes; a shorter tail is kept as the peer sent it.
    for (std::size_t at = 0; at < cr.authority.size(); at += wire::kSha1Size) {
      const std::size_t end = std::min(cr.authority.size(), at + wire::kSha1Size);
      sa.received.certreqs.emplace_back(cr.authority.begin() + static_cast<std::ptrdiff_t>(at),
                                        cr.authority.begin() + static_cast<std::ptrdiff_t>(end));
      sa.log(fmt::format("received cert request for a CA with key hash {}", hex(sa.received.certreqs.back())));
    }
  }
}

std::vector<Payload> certreq_payloads(IkeSa& sa, const Context& c, Message m) {
  auto hashes = c.policy.certreq(cert_step(sa, m));
  if (!hashes) return {};
  std::vector<Payload> out;
  for (const auto& entries : peer::certreq_payloads(c.config.bugs, IkeVersion::V2, std::move(*hashes), sa.trace)) {
    wire::CertRequest cr;
    for (const Bytes& h : entries) {
      cr.authority.insert(cr.authority.end(), h.begin(), h.end());
      if (out.empty()) sa.log(fmt::format("sending cert request for a CA with key hash {}", hex(h)));
    }
    out.push_back({k::kCERTREQ, false, std::move(cr)});
  }
  return out;
}

IkeMessage ike_sa_init_build_i(IkeSa& sa, const Context& c) {
  if (sa.spi_i == wire::Spi{}) {
    c.policy.begin(Role::Initiator);
    const Bytes spi = crypto::random_bytes(8);
    std::copy(spi.begin(), spi.end(), sa.spi_i.begin());
  }
  if (sa.ni.empty()) sa.ni = crypto::random_bytes(kNonceSize);
  if (!sa.dh || sa.dh->group() != sa.suite.dh)
    sa.dh = std::make_shared<const crypto::DhKey>(crypto::DhKey::generate(sa.suite.dh));
  IkeMessage m;
  m.header = header_for(sa, k::kIkeSaInit, 0, false);
  if (!sa.cookie.empty()) m.payloads.push_back(notify(k::kCookie, sa.cookie));  // §2.6: first
  wire::SaV2 offer;
  // The proposal of the group our KE uses goes first (§1.2: KEi is for the first choice).
  std::vector<IkeSuite> order = c.config.ike;
  std::stable_partition(order.begin(), order.end(), [&](const IkeSuite& s) { return s.dh == sa.suite.dh; });
  for (std::size_t i = 0; i < order.size(); ++i)
    offer.proposals.push_back(ike_proposal(order[i], static_cast<std::uint8_t>(i + 1)));
  m.payloads.push_back({k::kSA, false, offer});
  m.payloads.push_back({k::kKE, false, wire::KeV2{sa.dh->group(), sa.dh->public_value()}});
  m.payloads.push_back({k::kNonce, false, wire::Raw{sa.ni}});
  m.payloads.push_back(
      notify(k::kNatDetectionSourceIp, nat_hash(sa.spi_i, {}, sa.ends.local_address, sa.ends.local_port)));
  m.payloads.push_back(
      notify(k::kNatDetectionDestinationIp, nat_hash(sa.spi_i, {}, sa.ends.remote_address, sa.ends.remote_port)));
  if (c.config.fragmentation) m.payloads.push_back(notify(k::kIkev2FragmentationSupported));
  if (c.config.signature_hash_algorithms)
    m.payloads.push_back(notify(k::kSignatureHashAlgorithms, hash_list(kOurHashes)));
  sa.init_request = wire::encode(m);
  sa.log(fmt::format("initiating IKE_SA, sending IKE_SA_INIT request with {}", suite_name(sa.suite)));
  return m;
}

IkeMessage ike_sa_init_process_r(IkeSa& sa, const Context& c, const IkeMessage& request, const Bytes& raw) {
  sa.role = Role::Responder;
  c.policy.begin(Role::Responder);
  sa.spi_i = request.header.ispi;
  sa.init_request = raw;
  IkeMessage r;
  r.header = header_for(sa, k::kIkeSaInit, 0, true);
  const Payload* sa_p = request.find(k::kSA);
  const Payload* ke_p = request.find(k::kKE);
  const Bytes* ni = raw_of(request, k::kNonce);
  if (!sa_p || !ke_p || !ni || ni->size() < 16 || ni->size() > 256) {
    fail(sa, k::kInvalidSyntax, "IKE_SA_INIT request without SA, KE or a 16..256-octet Ni (RFC 7296 §3.9)");
    r.payloads.push_back(notify(k::kInvalidSyntax));
    return r;
  }
  const auto chosen = select_ike(std::get<wire::SaV2>(sa_p->body), c.config.ike);
  if (!chosen) {
    fail(sa, k::kNoProposalChosen, "no acceptable proposal found, sending NO_PROPOSAL_CHOSEN");
    r.payloads.push_back(notify(k::kNoProposalChosen));
    return r;
  }
  sa.suite = chosen->first;
  const auto& ke = std::get<wire::KeV2>(ke_p->body);
  if (ke.group != sa.suite.dh) {
    // §1.3: the responder names the group it wants; the SA is not set up.
    const Bytes group{static_cast<std::uint8_t>(sa.suite.dh >> 8), static_cast<std::uint8_t>(sa.suite.dh)};
    fail(sa, k::kInvalidKePayload,
         fmt::format("peer sent KE of group {}, sending INVALID_KE_PAYLOAD for {}", ke.group, sa.suite.dh));
    r.payloads.push_back(notify(k::kInvalidKePayload, group));
    return r;
  }
  read_notifies(sa, request);
  const Bytes spi = crypto::random_bytes(8);
  std::copy(spi.begin(), spi.end(), sa.spi_r.begin());
  sa.ni = *ni;
  sa.nr = crypto::random_bytes(kNonceSize);
  sa.dh = std::make_shared<const crypto::DhKey>(crypto::DhKey::generate(sa.suite.dh));
  try {
    derive_keys(sa, ke.data);
  } catch (const crypto::CryptoError& e) {
    fail(sa, k::kInvalidSyntax, std::string("KE payload rejected: ") + e.what());
    r.payloads.push_back(notify(k::kInvalidSyntax));
    return r;
  }
  check_nat(sa, request);
  r.header = header_for(sa, k::kIkeSaInit, 0, true);
  wire::SaV2 answer;
  answer.proposals.push_back(ike_proposal(sa.suite, chosen->second));
  r.payloads.push_back({k::kSA, false, answer});
  r.payloads.push_back({k::kKE, false, wire::KeV2{sa.dh->group(), sa.dh->public_value()}});
  r.payloads.push_back({k::kNonce, false, wire::Raw{sa.nr}});
  r.payloads.push_back(
      notify(k::kNatDetectionSourceIp, nat_hash(sa.spi_i, sa.spi_r, sa.ends.local_address, sa.ends.local_port)));
  r.payloads.push_back(
      notify(k::kNatDetectionDestinationIp, nat_hash(sa.spi_i, sa.spi_r, sa.ends.remote_address, sa.ends.remote_port)));
  for (Payload& cr : certreq_payloads(sa, c, Message::IKE_SA_INIT)) r.payloads.push_back(std::move(cr));
  if (c.config.http_cert_lookup) r.payloads.push_back(notify(k::kHttpCertLookupSupported));
  if (c.config.fragmentation && sa.peer_fragmentation) r.payloads.push_back(notify(k::kIkev2FragmentationSupported));
  if (!sa.peer_hashes.empty() && c.config.signature_hash_algorithms)
    r.payloads.push_back(notify(k::kSignatureHashAlgorithms, hash_list(kOurHashes)));
  sa.init_response = wire::encode(r);
  sa.log(fmt::format("selected proposal: {}", suite_name(sa.suite)));
  return r;
}

InitStatus ike_sa_init_process_i(IkeSa& sa, const Context& c, const IkeMessage& response, const Bytes& raw) {
  for (const Payload* p : response.all(k::kN)) {
    const auto& n = std::get<wire::NotifyV2>(p->body);
    if (n.type == k::kInvalidKePayload && n.data.size() == 2) {
      const std::uint16_t group = static_cast<std::uint16_t>((n.data[0] << 8) | n.data[1]);
      const bool ours = std::any_of(c.config.ike.begin(), c.config.ike.end(),
                                    [&](const IkeSuite& s) { return s.dh == group; });
      if (ours && group != sa.suite.dh) {
        sa.log(fmt::format("peer didn't accept DH group {}, it requested {}", sa.suite.dh, group));
        for (const IkeSuite& s : c.config.ike)
          if (s.dh == group) {
            sa.suite = s;
            break;
          }
        return InitStatus::RetryGroup;
      }
    }
    if (n.type == k::kCookie && sa.cookie.empty()) {
      sa.cookie = n.data;
      sa.log("received COOKIE, retrying");
      return InitStatus::RetryCookie;
    }
    if (n.type < 16384) {  // §3.10.1: error types are below 16384
      fail(sa, n.type, "received " + notify_text(n.type) + " notify error");
      return InitStatus::Failed;
    }
  }
  const Payload* sa_p = response.find(k::kSA);
  const Payload* ke_p = response.find(k::kKE);
  const Bytes* nr = raw_of(response, k::kNonce);
  if (!sa_p || !ke_p || !nr) {
    fail(sa, std::nullopt, "IKE_SA_INIT response without SA, KE or Nr");
    return InitStatus::Failed;
  }
  const auto& answer = std::get<wire::SaV2>(sa_p->body);
  const auto chosen = select_ike(answer, c.config.ike);
  if (answer.proposals.size() != 1 || !chosen) {
    fail(sa, std::nullopt, "the responder's SA is not one of our proposals (RFC 7296 §2.7)");
    return InitStatus::Failed;
  }
  const auto& ke = std::get<wire::KeV2>(ke_p->body);
  if (chosen->first.dh != sa.dh->group() || ke.group != sa.dh->group()) {
    fail(sa, std::nullopt,
         fmt::format("responder chose DH group {} / KE {} but our KE is {}", chosen->first.dh, ke.group,
                     sa.dh->group()));
    return InitStatus::Failed;
  }
  sa.suite = chosen->first;
  sa.spi_r = response.header.rspi;
  sa.nr = *nr;
  sa.init_response = raw;
  read_notifies(sa, response);
  check_nat(sa, response);
  note_certreqs(sa, response.payloads);
  try {
    derive_keys(sa, ke.data);
  } catch (const crypto::CryptoError& e) {
    fail(sa, std::nullopt, std::string("KE payload rejected: ") + e.what());
    return InitStatus::Failed;
  }
  sa.log(fmt::format("selected proposal: {}", suite_name(sa.suite)));
  return InitStatus::Done;
}

}  // namespace ikeconform::peer::ikev2
