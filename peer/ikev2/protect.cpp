// The Encrypted payload (RFC 7296 §3.14) and Encrypted Fragment payload (RFC 7383 §2.5):
//
//   SK  body: IV | Encrypted(inner payloads | Padding | Pad Length) | ICV
//   SKF body: Fragment Number | Total Fragments | IV | Encrypted(...) | ICV
//
// AES-CBC: the ICV is the truncated HMAC over the whole message up to the ICV. AES-GCM
// (RFC 5282 §5.1): the associated data is the message up to the end of the SK (SKF) header,
// Fragment Number and Total Fragments included; the ICV is the GCM tag.
#include <fmt/format.h>

#include <algorithm>

#include "peer/ikev2/ike_sa.hpp"

namespace ikeconform::peer::ikev2 {

namespace {

constexpr std::size_t kCbcBlock = 16;
constexpr std::size_t kFragmentHeader = 4;  // Fragment Number, Total Fragments

struct Keys {
  const Bytes& encr;
  const Bytes& integ;
};
// The sender's keys: the initiator sends under SK_ei / SK_ai, the responder under SK_er / SK_ar.
Keys keys_of(const IkeSa& sa, bool initiator_sent) {
  return initiator_sent ? Keys{sa.keys.sk_ei, sa.keys.sk_ai} : Keys{sa.keys.sk_er, sa.keys.sk_ar};
}

std::size_t iv_size(const IkeSuite& s) { return is_aead(s.encr) ? crypto::kGcmIvSize : kCbcBlock; }

// Plaintext with Padding and Pad Length: CBC pads to the block; GCM needs no padding.
Bytes pad(const IkeSuite& s, Bytes plain) {
  const std::size_t block = is_aead(s.encr) ? 1 : kCbcBlock;
  const std::size_t padding = (block - (plain.size() + 1) % block) % block;
  plain.insert(plain.end(), padding, 0);
  plain.push_back(static_cast<std::uint8_t>(padding));
  return plain;
}

// One datagram: `outer` then an SK or SKF payload around `chunk`.
Bytes seal_one(const IkeSa& sa, const wire::Header& header, std::uint8_t type, std::uint8_t inner_next,
               std::optional<std::pair<std::uint16_t, std::uint16_t>> fragment, const Bytes& chunk) {
  const bool initiator_sent = (header.flags & wire::ikev2::kFlagInitiator) != 0;
  const Keys keys = keys_of(sa, initiator_sent);
  const Bytes plain = pad(sa.suite, chunk);
  const std::size_t ivs = iv_size(sa.suite), icv = icv_size(sa.suite);
  const std::size_t prefix = fragment ? kFragmentHeader : 0;
  const std::size_t body_size = prefix + ivs + plain.size() + icv;

  IkeMessage m;
  m.header = header;
  m.payloads.push_back({type, false, wire::Encrypted{inner_next, Bytes(body_size, 0)}});
  Bytes out = wire::encode(m);
  const std::size_t body = out.size() - body_size;
  if (fragment) {
    out[body] = static_cast<std::uint8_t>(fragment->first >> 8);
    out[body + 1] = static_cast<std::uint8_t>(fragment->first);
    out[body + 2] = static_cast<std::uint8_t>(fragment->second >> 8);
    out[body + 3] = static_cast<std::uint8_t>(fragment->second);
  }
  const std::size_t iv_at = body + prefix;
  const Bytes iv = crypto::random_bytes(ivs);
  std::copy(iv.begin(), iv.end(), out.begin() + static_cast<std::ptrdiff_t>(iv_at));
  if (is_aead(sa.suite.encr)) {
    const crypto::View aad(out.data(), iv_at);
    const Bytes ct = crypto::aes_gcm_encrypt(keys.encr, iv, aad, plain);
    std::copy(ct.begin(), ct.end(), out.begin() + static_cast<std::ptrdiff_t>(iv_at + ivs));
    return out;
  }
  const Bytes ct = crypto::aes_cbc_encrypt(keys.encr, iv, plain);
  std::copy(ct.begin(), ct.end(), out.begin() + static_cast<std::ptrdiff_t>(iv_at + ivs));
  Bytes mac = crypto::hmac(integ_hash(sa.suite.integ), keys.integ, crypto::View(out.data(), out.size() - icv));
  std::copy(mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(icv), out.end() - static_cast<std::ptrdiff_t>(icv));
  return out;
}

}  // namespace

wire::Header header_for(const IkeSa& sa, std::uint8_t exchange, std::uint32_t id, bool response) {
  wire::Header h;
  h.ispi = sa.spi_i;
  h.rspi = sa.spi_r;
  h.major = 2;
  h.exchange = exchange;
  h.flags = static_cast<std::uint8_t>((sa.role == Role::Initiator ? wire::ikev2::kFlagInitiator : 0) |
                                      (response ? wire::ikev2::kFlagResponse : 0));
  h.message_id = id;
  return h;
}

std::vector<Bytes> seal(const IkeSa& sa, const wire::Header& header, const std::vector<Payload>& inner,
                        std::size_t fragment_size) {
  return seal_chain(sa, header, inner.empty() ? 0 : inner.front().type, wire::encode_payloads(IkeVersion::V2, inner),
                    fragment_size);
}

std::vector<Bytes> seal_chain(const IkeSa& sa, const wire::Header& header, std::uint8_t first, const Bytes& plain,
                              std::size_t fragment_size) {
  const std::size_t overhead = wire::kHeaderSize + wire::kGenericHeaderSize + iv_size(sa.suite) + icv_size(sa.suite) +
                               kCbcBlock;
  if (!sa.peer_fragmentation || fragment_size == 0 || plain.size() + overhead <= fragment_size)
    return {seal_one(sa, header, wire::ikev2::kSK, first, std::nullopt, plain)};
  // RFC 7383 §2.5: every fragment its own SKF; only the first names the inner payload type.
  const std::size_t room = fragment_size > overhead + kFragmentHeader + 64 ? fragment_size - overhead - kFragmentHeader
                                                                           : 64;
  const std::size_t total = (plain.size() + room - 1) / room;
  if (total > 0xffff) throw ProtectionError("message too long to fragment");
  std::vector<Bytes> out;
  for (std::size_t n = 0; n < total; ++n) {
    const auto from = plain.begin() + static_cast<std::ptrdiff_t>(n * room);
    const auto to = plain.begin() + static_cast<std::ptrdiff_t>(std::min(plain.size(), (n + 1) * room));
    out.push_back(seal_one(sa, header, wire::ikev2::kSKF, n == 0 ? first : 0,
                           std::pair{static_cast<std::uint16_t>(n + 1), static_cast<std::uint16_t>(total)},
                           Bytes(from, to)));
  }
  return out;
}

std::optional<std::vector<Payload>> Opener::open(const IkeSa& sa, const IkeMessage& m, const Bytes& raw) {
  if (m.payloads.empty()) throw ProtectionError("no SK payload");
  const Payload& last = m.payloads.back();
  const auto* enc = std::get_if<wire::Encrypted>(&last.body);
  if (!enc) throw ProtectionError("the last payload is not SK or SKF");
  const bool fragment = last.type == wire::ikev2::kSKF;
  const bool initiator_sent = (m.header.flags & wire::ikev2::kFlagInitiator) != 0;
  const Keys keys = keys_of(sa, initiator_sent);
  const std::size_t ivs = iv_size(sa.suite), icv = icv_size(sa.suite);
  const std::size_t prefix = fragment ? kFragmentHeader : 0;
  if (enc->data.size() < prefix + ivs + icv) throw ProtectionError("SK payload shorter than its IV and ICV");
  const std::size_t body = raw.size() - enc->data.size();
  const std::size_t iv_at = body + prefix;
  const crypto::View iv(raw.data() + iv_at, ivs);
  const crypto::View ct(raw.data() + iv_at + ivs, raw.size() - iv_at - ivs - icv);
  Bytes plain;
  if (is_aead(sa.suite.encr)) {
    auto p = crypto::aes_gcm_decrypt(keys.encr, iv, crypto::View(raw.data(), iv_at),
                                     crypto::View(raw.data() + iv_at + ivs, raw.size() - iv_at - ivs));
    if (!p) throw ProtectionError("AES-GCM ICV does not verify");
    plain = std::move(*p);
  } else {
    const Bytes mac = crypto::hmac(integ_hash(sa.suite.integ), keys.integ, crypto::View(raw.data(), raw.size() - icv));
    if (!std::equal(mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(icv),
                    raw.end() - static_cast<std::ptrdiff_t>(icv)))
      throw ProtectionError("integrity checksum does not verify");
    if (ct.size() % kCbcBlock != 0) throw ProtectionError("ciphertext is not whole AES blocks");
    plain = crypto::aes_cbc_decrypt(keys.encr, iv, ct);
  }
  if (plain.empty() || plain.back() + 1U > plain.size()) throw ProtectionError("Pad Length exceeds the plaintext");
  plain.resize(plain.size() - plain.back() - 1U);

  std::uint8_t first = enc->inner_next;
  if (fragment) {
    ++fragments_seen_;
    const std::uint16_t number = static_cast<std::uint16_t>((enc->data[0] << 8) | enc->data[1]);
    const std::uint16_t total = static_cast<std::uint16_t>((enc->data[2] << 8) | enc->data[3]);
    if (number == 0 || total == 0 || number > total)
      throw ProtectionError(fmt::format("fragment {} of {}", number, total));
    Pending& p = pending_[{m.header.message_id, m.is_response()}];
    if (p.total != 0 && p.total != total) p = Pending{};  // RFC 7383 §2.6.1: a new set replaces the old
    p.total = total;
    if (number == 1) p.first_inner = enc->inner_next;
    p.plain[number] = std::move(plain);
    if (p.plain.size() < total) return std::nullopt;
    plain.clear();
    for (auto& [n, part] : p.plain) plain.insert(plain.end(), part.begin(), part.end());
    first = p.first_inner;
    pending_.erase({m.header.message_id, m.is_response()});
  }
  auto inner = wire::decode_payloads(IkeVersion::V2, first, plain);
  if (!inner) throw ProtectionError("inner payloads: " + inner.error().what());
  return std::move(inner).value();
}

}  // namespace ikeconform::peer::ikev2
