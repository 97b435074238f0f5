// Quick Mode (RFC 2409 §5.5), initiator, one ESP SA in tunnel mode without PFS:
//   QM1  HDR*, HASH(1), SA, Ni, IDci, IDcr     HASH(1) = prf(SKEYID_a, M-ID | SA | Ni | IDci | IDcr)
//   QM2  HDR*, HASH(2), SA, Nr, IDci, IDcr     HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr | IDci | IDcr)
//   QM3  HDR*, HASH(3)                         HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
// and the informational Delete of the ISAKMP SA: HASH(1) = prf(SKEYID_a, M-ID | D).
#include <fmt/format.h>

#include "peer/ikev1/isakmp_sa.hpp"

namespace ikeconform::peer::ikev1 {

namespace k = wire::ikev1;

namespace {

// RFC 2407 §4.4.1 (protocol), §4.4.4 (transform), §4.5 (attributes), §4.6.2.1 (ID type);
// RFC 4868 §2.4 (HMAC-SHA-256 as authentication algorithm 5).
constexpr std::uint8_t kProtoEsp = 3, kEspAes = 12, kIdIpv4Subnet = 4;
constexpr std::uint16_t kSaLifeType = 1, kSaLifeDuration = 2, kEncapsulationMode = 4, kAuthAlgorithm = 5,
                        kKeyLength = 6;
constexpr std::uint16_t kTunnel = 1, kUdpEncapsulatedTunnel = 3, kHmacSha256 = 5;  // 3: RFC 3947 §5
constexpr std::size_t kNonceSize = 32;

Bytes mid(std::uint32_t id) {
  return {static_cast<std::uint8_t>(id >> 24), static_cast<std::uint8_t>(id >> 16), static_cast<std::uint8_t>(id >> 8),
          static_cast<std::uint8_t>(id)};
}

Bytes prf_a(const IsakmpSa& sa, const Bytes& data) {
  return crypto::hmac(hash_of(sa.suite.hash), sa.keys.skeyid_a, data);
}

wire::IdV1 subnet_id(const wire::TrafficSelector& ts) {
  wire::IdV1 id{kIdIpv4Subnet, 0, 0, ts.start_address};
  for (std::size_t i = 0; i < 4; ++i)
    id.data.push_back(static_cast<std::uint8_t>(~(ts.start_address.at(i) ^ ts.end_address.at(i))));
  return id;
}

// The message: HASH first, then `rest`; the HASH covers `prefix` | the encoding of `rest`.
std::vector<Payload> with_hash(const IsakmpSa& sa, const Bytes& prefix, std::vector<Payload> rest) {
  const Bytes hash = prf_a(sa, crypto::concat({prefix, wire::encode_payloads(IkeVersion::V1, rest)}));
  rest.insert(rest.begin(), Payload{k::kHASH, false, wire::Raw{hash}});
  return rest;
}

}  // namespace

Bytes qm1_build_i(IsakmpSa& sa, const Context& c) {
  const std::vector<Payload> ps = qm1_payloads_i(sa, c);
  return seal(sa, header_for(sa, k::kQuickMode, sa.qm_id, true), ps, sa.qm_iv);
}

std::vector<Payload> qm1_payloads_i(IsakmpSa& sa, const Context& c) {
  do {
    const Bytes r = crypto::random_bytes(4);
    sa.qm_id = (std::uint32_t{r[0]} << 24) | (std::uint32_t{r[1]} << 16) | (std::uint32_t{r[2]} << 8) | r[3];
  } while (sa.qm_id == 0);
  sa.qm_iv = phase2_iv(sa, sa.qm_id);
  sa.qm_ni = crypto::random_bytes(kNonceSize);
  sa.esp_spi_ours = crypto::random_bytes(4);
  wire::TransformV1 t{1,
                      kEspAes,
                      {wire::Attribute::basic(kEncapsulationMode, sa.port == 4500 ? kUdpEncapsulatedTunnel : kTunnel),
                       wire::Attribute::basic(kAuthAlgorithm, kHmacSha256), wire::Attribute::basic(kKeyLength, 128)}};
  std::vector<Payload> rest{
      {k::kSA, false,
       wire::SaV1{k::kDoiIpsec, k::kSitIdentityOnly, {wire::ProposalV1{1, kProtoEsp, sa.esp_spi_ours, {t}}}}},
      {k::kNONCE, false, wire::Raw{sa.qm_ni}},
      {k::kID, false, subnet_id(c.config.local_ts)},
      {k::kID, false, subnet_id(c.config.remote_ts)}};
  sa.log(fmt::format("initiating Quick Mode, message ID {:#010x}", sa.qm_id));
  return with_hash(sa, mid(sa.qm_id), std::move(rest));
}

bool qm2_process_i(IsakmpSa& sa, const Context&, const IkeMessage& m) {
  std::vector<Payload> ps;
  Bytes chain;
  try {
    ps = open(sa, m, sa.qm_iv, &chain);
  } catch (const std::exception& e) {
    sa.outcome.failed_at = "QM2";
    sa.outcome.reason = e.what();
    sa.log("QM2: " + sa.outcome.reason);
    return false;
  }
  if (ps.empty() || ps.front().type != k::kHASH) {
    sa.outcome.failed_at = "QM2";
    sa.outcome.reason = "QM2 does not start with HASH(2)";
    return false;
  }
  // HASH(2) covers everything after the HASH payload as it arrived.
  const std::size_t hash_len = static_cast<std::size_t>((chain[2] << 8) | chain[3]);
  const Bytes rest(chain.begin() + static_cast<std::ptrdiff_t>(hash_len), chain.end());
  if (std::get<wire::Raw>(ps.front().body).data != prf_a(sa, crypto::concat({mid(sa.qm_id), sa.qm_ni, rest}))) {
    sa.outcome.failed_at = "QM2";
    sa.outcome.reason = "HASH(2) does not verify";
    sa.log("QM2: " + sa.outcome.reason);
    return false;
  }
  for (const Payload& p : ps) {
    if (p.type == k::kNONCE) sa.qm_nr = std::get<wire::Raw>(p.body).data;
    if (p.type == k::kSA) {
      const auto& answer = std::get<wire::SaV1>(p.body);
      if (answer.proposals.size() == 1) sa.esp_spi_peer = answer.proposals[0].spi;
    }
  }
  if (sa.qm_nr.empty() || sa.esp_spi_peer.size() != 4) {
    sa.outcome.failed_at = "QM2";
    sa.outcome.reason = "QM2 without Nr or an ESP SA";
    return false;
  }
  return true;
}

Bytes qm3_build_i(IsakmpSa& sa) {
  const Bytes hash = prf_a(sa, crypto::concat({Bytes{0}, mid(sa.qm_id), sa.qm_ni, sa.qm_nr}));
  sa.outcome.ipsec_sa = true;
  sa.log("Quick Mode done: CHILD_SA (ESP) established");
  return seal(sa, header_for(sa, k::kQuickMode, sa.qm_id, true), {{k::kHASH, false, wire::Raw{hash}}}, sa.qm_iv);
}

namespace {

// An informational exchange under a fresh Message ID: HASH(1) | `p` (RFC 2409 §5.7).
Bytes informational_build(IsakmpSa& sa, Payload p) {
  const Bytes r = crypto::random_bytes(4);
  const std::uint32_t id = ((std::uint32_t{r[0]} << 24) | (std::uint32_t{r[1]} << 16) | (std::uint32_t{r[2]} << 8) |
                            r[3]) |
                           1U;
  Bytes iv = phase2_iv(sa, id);
  return seal(sa, header_for(sa, k::kInformational, id, true), with_hash(sa, mid(id), {std::move(p)}), iv);
}

}  // namespace

Bytes delete_isakmp_sa_build(IsakmpSa& sa) {
  // RFC 2408 §3.15: DOI, Protocol-Id ISAKMP, SPI Size 16, one SPI: CKY-I | CKY-R.
  Bytes d{0, 0, 0, 1, k::kProtoIsakmp, 16, 0, 1};
  d.insert(d.end(), sa.cky_i.begin(), sa.cky_i.end());
  d.insert(d.end(), sa.cky_r.begin(), sa.cky_r.end());
  sa.deleted = true;
  sa.log("sending DELETE for the ISAKMP SA");
  return informational_build(sa, {k::kD, false, wire::Raw{d}});
}

Bytes notify_build(IsakmpSa& sa, std::uint16_t type) {
  wire::NotifyV1 n;
  n.type = type;
  n.spi.assign(sa.cky_i.begin(), sa.cky_i.end());
  n.spi.insert(n.spi.end(), sa.cky_r.begin(), sa.cky_r.end());
  const std::string_view name = wire::notify_name(IkeVersion::V1, type);
  sa.log(fmt::format("sending {} notify", name.empty() ? std::to_string(type) : std::string(name)));
  return informational_build(sa, {k::kN, false, n});
}

// ---- Responder -------------------------------------------------------------------------------------

namespace {

std::optional<std::uint16_t> attribute(const wire::TransformV1& t, std::uint16_t type) {
  for (const wire::Attribute& a : t.attributes)
    if (a.type == type && a.tv) return a.value;
  return std::nullopt;
}

// Decrypts a phase 2 message and checks that it starts with a HASH equal to
// prf(SKEYID_a, prefix | the rest of the chain). Returns the payloads after the HASH.
std::optional<std::vector<Payload>> open_hashed(IsakmpSa& sa, const IkeMessage& m, Bytes& iv, const Bytes& prefix,
                                                const char* at) {
  std::vector<Payload> ps;
  Bytes chain;
  try {
    ps = open(sa, m, iv, &chain);
  } catch (const std::exception& e) {
    sa.log(std::string(at) + ": " + e.what());
    return std::nullopt;
  }
  if (ps.empty() || ps.front().type != k::kHASH) {
    sa.log(std::string(at) + ": does not start with HASH");
    return std::nullopt;
  }
  const std::size_t hash_len = static_cast<std::size_t>((chain[2] << 8) | chain[3]);
  const Bytes rest(chain.begin() + static_cast<std::ptrdiff_t>(hash_len), chain.end());
  if (std::get<wire::Raw>(ps.front().body).data != prf_a(sa, crypto::concat({prefix, rest}))) {
    sa.log(std::string(at) + ": HASH does not verify");
    return std::nullopt;
  }
  ps.erase(ps.begin());
  return ps;
}

}  // namespace

std::optional<Bytes> qm1_process_r(IsakmpSa& sa, const Context& c, const IkeMessage& m) {
  sa.qm_id = m.header.message_id;
  sa.qm_iv = phase2_iv(sa, sa.qm_id);
  auto ps = open_hashed(sa, m, sa.qm_iv, mid(sa.qm_id), "QM1");
  if (!ps) return std::nullopt;
  const wire::SaV1* offer = nullptr;
  std::vector<const wire::IdV1*> ids;
  for (const Payload& p : *ps) {
    if (p.type == k::kSA) offer = &std::get<wire::SaV1>(p.body);
    if (p.type == k::kNONCE) sa.qm_ni = std::get<wire::Raw>(p.body).data;
    if (p.type == k::kID) ids.push_back(&std::get<wire::IdV1>(p.body));
  }
  // IDci is the initiator's network: our remote one; IDcr ours (§5.5).
  if (!offer || sa.qm_ni.empty() || ids.size() != 2 || !(*ids[0] == subnet_id(c.config.remote_ts)) ||
      !(*ids[1] == subnet_id(c.config.local_ts))) {
    sa.log("QM1: no SA / Ni, or IDci / IDcr are not our tunnel's networks");
    sa.outcome.failed_at = "QM1";
    return std::nullopt;
  }
  if (!c.policy.ipsec_policy(CertStep{Message::QM1, Role::Responder, sa.received, sa.trace})) {
    sa.outcome.failed_at = "QM1";
    sa.outcome.error = k::kInvalidIdInformation;
    return notify_build(sa, k::kInvalidIdInformation);
  }
  std::optional<std::pair<const wire::ProposalV1*, const wire::TransformV1*>> chosen;
  for (const wire::ProposalV1& prop : offer->proposals)
    for (const wire::TransformV1& t : prop.transforms)
      if (!chosen && prop.protocol == kProtoEsp && prop.spi.size() == 4 && t.id == kEspAes &&
          attribute(t, kKeyLength) == 128 && attribute(t, kAuthAlgorithm) == kHmacSha256)
        chosen = std::pair{&prop, &t};
  if (!chosen) {
    sa.log("QM1: no acceptable ESP proposal");
    sa.outcome.failed_at = "QM1";
    sa.outcome.error = k::kNoProposalChosen;
    return std::nullopt;
  }
  sa.esp_spi_peer = chosen->first->spi;
  sa.esp_spi_ours = crypto::random_bytes(4);
  sa.qm_nr = crypto::random_bytes(kNonceSize);
  wire::ProposalV1 answer{chosen->first->number, kProtoEsp, sa.esp_spi_ours, {*chosen->second}};
  std::vector<Payload> rest{{k::kSA, false, wire::SaV1{k::kDoiIpsec, k::kSitIdentityOnly, {answer}}},
                            {k::kNONCE, false, wire::Raw{sa.qm_nr}},
                            {k::kID, false, *ids[0]},
                            {k::kID, false, *ids[1]}};
  return seal(sa, header_for(sa, k::kQuickMode, sa.qm_id, true),
              with_hash(sa, crypto::concat({mid(sa.qm_id), sa.qm_ni}), std::move(rest)), sa.qm_iv);
}

bool qm3_process_r(IsakmpSa& sa, const IkeMessage& m) {
  auto ps = open_hashed(sa, m, sa.qm_iv, crypto::concat({Bytes{0}, mid(sa.qm_id), sa.qm_ni, sa.qm_nr}), "QM3");
  if (!ps) return false;
  sa.outcome.ipsec_sa = true;
  sa.log("Quick Mode done: CHILD_SA (ESP) established");
  return true;
}

void informational_process(IsakmpSa& sa, const IkeMessage& m) {
  std::vector<Payload> ps = m.payloads;
  if (m.v1_encrypted) {
    Bytes iv = phase2_iv(sa, m.header.message_id);
    auto opened = open_hashed(sa, m, iv, mid(m.header.message_id), "INFORMATIONAL");
    if (!opened) return;
    ps = std::move(*opened);
  }
  for (const Payload& p : ps) {
    if (const auto* n = std::get_if<wire::NotifyV1>(&p.body)) {
      const std::string_view name = wire::notify_name(IkeVersion::V1, n->type);
      sa.log(fmt::format("received {} notify", name.empty() ? std::to_string(n->type) : std::string(name)));
    }
    if (p.type == k::kD) {
      const Bytes& d = std::get<wire::Raw>(p.body).data;
      if (d.size() >= 8 && d[4] == k::kProtoIsakmp) {
        sa.deleted = true;
        sa.log("received DELETE for the ISAKMP SA");
      } else if (d.size() >= 8) {
        sa.log("received DELETE for an IPsec SA");
      }
    }
  }
}

}  // namespace ikeconform::peer::ikev1
