// RFC 2408 §3.1 E flag and RFC 2409 Appendix B: everything after the ISAKMP header is
// AES-CBC ciphertext, padded to the block size; the IV of phase 1 starts as hash(g^xi | g^xr)
// and then is the last ciphertext block of the previous message; each phase 2 / informational
// exchange starts from hash(last phase 1 block | M-ID).
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "peer/ikev1/isakmp_sa.hpp"

namespace ikeconform::peer::ikev1 {

namespace {

constexpr std::size_t kBlock = 16;

// Where the payload chain of `plain` that starts with `first` ends (padding follows).
std::size_t chain_length(const Bytes& plain, std::uint8_t first) {
  std::size_t at = 0;
  for (std::uint8_t next = first; next != 0;) {
    if (at + 4 > plain.size())
      throw std::runtime_error(fmt::format("encrypted payload chain runs out at octet {}", at));
    const std::size_t len = static_cast<std::size_t>((plain[at + 2] << 8) | plain[at + 3]);
    if (len < 4 || at + len > plain.size())
      throw std::runtime_error(fmt::format("payload length {} at octet {}", len, at));
    next = plain[at];
    at += len;
  }
  return at;
}

}  // namespace

crypto::Hash hash_of(std::uint16_t hash) {
  switch (hash) {
    case wire::ikev1::kHashSha: return crypto::Hash::Sha1;
    case wire::ikev1::kHashSha256: return crypto::Hash::Sha256;
    case wire::ikev1::kHashSha384: return crypto::Hash::Sha384;
    case wire::ikev1::kHashSha512: return crypto::Hash::Sha512;
    default: throw crypto::CryptoError(fmt::format("IKEv1 hash {} is not implemented", hash));
  }
}

wire::Header header_for(const IsakmpSa& sa, std::uint8_t exchange, std::uint32_t id, bool encrypted) {
  wire::Header h;
  h.ispi = sa.cky_i;
  h.rspi = sa.cky_r;
  h.major = 1;
  h.exchange = exchange;
  h.flags = encrypted ? wire::ikev1::kFlagEncryption : 0;
  h.message_id = id;
  return h;
}

Bytes seal(const IsakmpSa& sa, const wire::Header& header, const std::vector<Payload>& payloads, Bytes& iv) {
  return seal_chain(sa, header, payloads.empty() ? std::uint8_t{0} : payloads.front().type,
                    wire::encode_payloads(IkeVersion::V1, payloads), iv);
}

Bytes seal_chain(const IsakmpSa& sa, const wire::Header& header, std::uint8_t first, Bytes plain, Bytes& iv) {
  // Zero padding to the block; an empty chain (fuzz-peer deletes every payload) is one block.
  plain.resize(std::max<std::size_t>(kBlock, (plain.size() + kBlock - 1) / kBlock * kBlock), 0);
  const Bytes ct = crypto::aes_cbc_encrypt(sa.keys.enc_key, iv, plain);
  iv.assign(ct.end() - kBlock, ct.end());
  IkeMessage m;
  m.header = header;
  m.v1_encrypted = wire::Encrypted{first, ct};
  return wire::encode(m);
}

std::vector<Payload> open(const IsakmpSa& sa, const IkeMessage& m, Bytes& iv, Bytes* chain) {
  if (!m.v1_encrypted) throw std::runtime_error("message is not encrypted");
  const Bytes& ct = m.v1_encrypted->data;
  if (ct.empty() || ct.size() % kBlock != 0) throw std::runtime_error("ciphertext is not whole AES blocks");
  Bytes plain = crypto::aes_cbc_decrypt(sa.keys.enc_key, iv, ct);
  iv.assign(ct.end() - kBlock, ct.end());
  plain.resize(chain_length(plain, m.v1_encrypted->inner_next));
  auto payloads = wire::decode_payloads(IkeVersion::V1, m.v1_encrypted->inner_next, plain);
  if (!payloads) throw std::runtime_error("decrypted payloads: " + payloads.error().what());
  if (chain) *chain = std::move(plain);
  return std::move(payloads).value();
}

std::optional<Bytes> raw_body(const Bytes& d, std::uint8_t type) {
  if (d.size() < wire::kHeaderSize) return std::nullopt;
  std::size_t at = wire::kHeaderSize;
  for (std::uint8_t next = d[16]; next != 0 && at + 4 <= d.size();) {
    const std::size_t len = static_cast<std::size_t>((d[at + 2] << 8) | d[at + 3]);
    if (len < 4 || at + len > d.size()) return std::nullopt;
    if (next == type)
      return Bytes(d.begin() + static_cast<std::ptrdiff_t>(at + 4), d.begin() + static_cast<std::ptrdiff_t>(at + len));
    next = d[at];
    at += len;
  }
  return std::nullopt;
}

Bytes phase2_iv(const IsakmpSa& sa, std::uint32_t id) {
  return crypto::ikev1_phase2_iv(hash_of(sa.suite.hash), sa.iv, id, kBlock);
}

}  // namespace ikeconform::peer::ikev1
