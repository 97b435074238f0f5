// SA payload proposals (RFC 7296 §3.3) and the algorithm parameters behind them.
#include <fmt/format.h>

#include <algorithm>

#include "peer/ikev2/ike_sa.hpp"

namespace ikeconform::peer::ikev2 {

namespace k = wire::ikev2;

bool is_aead(std::uint16_t encr) { return encr == k::kEncrAesGcm16; }

crypto::Hash prf_hash(std::uint16_t prf) {
  switch (prf) {
    case k::kPrfHmacSha1: return crypto::Hash::Sha1;
    case k::kPrfHmacSha256: return crypto::Hash::Sha256;
    case k::kPrfHmacSha384: return crypto::Hash::Sha384;
    case k::kPrfHmacSha512: return crypto::Hash::Sha512;
    default: throw crypto::CryptoError(fmt::format("prf {} is not implemented", prf));
  }
}

crypto::Hash integ_hash(std::uint16_t integ) {
  switch (integ) {
    case k::kAuthHmacSha1_96: return crypto::Hash::Sha1;
    case k::kAuthHmacSha256_128: return crypto::Hash::Sha256;
    case k::kAuthHmacSha384_192: return crypto::Hash::Sha384;
    case k::kAuthHmacSha512_256: return crypto::Hash::Sha512;
    default: throw crypto::CryptoError(fmt::format("integrity algorithm {} is not implemented", integ));
  }
}

namespace {

// RFC 4868 §2.1 (SHA-2), RFC 2404 (SHA-1): key = full digest, ICV = half of it (SHA-1: 96 bits).
std::pair<std::size_t, std::size_t> integ_sizes(std::uint16_t integ) {
  switch (integ) {
    case 0: return {0, 0};
    case k::kAuthHmacSha1_96: return {20, 12};
    case k::kAuthHmacSha256_128: return {32, 16};
    case k::kAuthHmacSha384_192: return {48, 24};
    case k::kAuthHmacSha512_256: return {64, 32};
    default: throw crypto::CryptoError(fmt::format("integrity algorithm {} is not implemented", integ));
  }
}

std::string encr_name(std::uint16_t encr, std::uint16_t bits) {
  return fmt::format("{}_{}",
                     encr == k::kEncrAesGcm16 ? "AES_GCM_16"
                     : encr == k::kEncrAesCbc ? "AES_CBC"
                                              : "ENCR",
                     bits);
}
std::string integ_name(std::uint16_t integ) {
  switch (integ) {
    case k::kAuthHmacSha1_96: return "HMAC_SHA1_96";
    case k::kAuthHmacSha256_128: return "HMAC_SHA2_256_128";
    case k::kAuthHmacSha384_192: return "HMAC_SHA2_384_192";
    case k::kAuthHmacSha512_256: return "HMAC_SHA2_512_256";
    default: return fmt::format("INTEG_{}", integ);
  }
}

wire::TransformV2 encr_transform(std::uint16_t encr, std::uint16_t bits) {
  return {k::kTransEncr, encr, {wire::Attribute::basic(k::kAttrKeyLength, bits)}};
}

bool has(const wire::ProposalV2& p, std::uint8_t type, std::uint16_t id, std::optional<std::uint16_t> bits = {}) {
  return std::any_of(p.transforms.begin(), p.transforms.end(), [&](const wire::TransformV2& t) {
    if (t.type != type || t.id != id) return false;
    if (!bits) return true;
    return std::any_of(t.attributes.begin(), t.attributes.end(), [&](const wire::Attribute& a) {
      return a.type == k::kAttrKeyLength && a.tv && a.value == *bits;
    });
  });
}
bool has_type(const wire::ProposalV2& p, std::uint8_t type) {
  return std::any_of(p.transforms.begin(), p.transforms.end(),
                     [&](const wire::TransformV2& t) { return t.type == type; });
}

}  // namespace

crypto::Ikev2KeySizes key_sizes(const IkeSuite& s) {
  crypto::Ikev2KeySizes z;
  z.prf_key = crypto::digest_size(prf_hash(s.prf));  // RFC 7296 §2.14: the prf's preferred key size
  z.integ = integ_sizes(s.integ).first;
  z.encr = s.key_bits / 8U + (is_aead(s.encr) ? crypto::kGcmSaltSize : 0);
  return z;
}

std::size_t icv_size(const IkeSuite& s) { return is_aead(s.encr) ? crypto::kGcmIcvSize : integ_sizes(s.integ).second; }

std::string suite_name(const IkeSuite& s) {
  static const std::map<std::uint16_t, const char*> kPrf = {{k::kPrfHmacSha1, "PRF_HMAC_SHA1"},
                                                            {k::kPrfHmacSha256, "PRF_HMAC_SHA2_256"},
                                                            {k::kPrfHmacSha384, "PRF_HMAC_SHA2_384"},
                                                            {k::kPrfHmacSha512, "PRF_HMAC_SHA2_512"}};
  const auto prf = kPrf.find(s.prf);
  std::string out = encr_name(s.encr, s.key_bits);
  if (!is_aead(s.encr)) out += "/" + integ_name(s.integ);
  out += "/" + (prf == kPrf.end() ? fmt::format("PRF_{}", s.prf) : std::string(prf->second));
  out += s.dh == 14 ? "/MODP_2048" : s.dh == 19 ? "/ECP_256" : fmt::format("/DH_{}", s.dh);
  return out;
}

wire::ProposalV2 ike_proposal(const IkeSuite& s, std::uint8_t number, const Bytes& spi) {
  wire::ProposalV2 p{number, k::kProtoIke, spi, {}};
  p.transforms.push_back(encr_transform(s.encr, s.key_bits));
  p.transforms.push_back({k::kTransPrf, s.prf, {}});
  if (!is_aead(s.encr)) p.transforms.push_back({k::kTransInteg, s.integ, {}});
  p.transforms.push_back({k::kTransDh, s.dh, {}});
  return p;
}

wire::ProposalV2 esp_proposal(const EspSuite& s, std::uint8_t number, const Bytes& spi) {
  wire::ProposalV2 p{number, k::kProtoEsp, spi, {}};
  p.transforms.push_back(encr_transform(s.encr, s.key_bits));
  if (!is_aead(s.encr)) p.transforms.push_back({k::kTransInteg, s.integ, {}});
  p.transforms.push_back({k::kTransEsn, k::kEsnNo, {}});
  return p;
}

std::optional<std::pair<IkeSuite, std::uint8_t>> select_ike(const wire::SaV2& offer,
                                                            const std::vector<IkeSuite>& ours) {
  for (const wire::ProposalV2& p : offer.proposals) {
    if (p.protocol != k::kProtoIke) continue;
    for (const IkeSuite& s : ours) {
      const bool integ_ok = is_aead(s.encr) ? !has_type(p, k::kTransInteg) || has(p, k::kTransInteg, 0)
                                            : has(p, k::kTransInteg, s.integ);
      if (has(p, k::kTransEncr, s.encr, s.key_bits) && has(p, k::kTransPrf, s.prf) && integ_ok &&
          has(p, k::kTransDh, s.dh))
        return std::pair{s, p.number};
    }
  }
  return std::nullopt;
}

std::optional<std::pair<EspSuite, const wire::ProposalV2*>> select_esp(const wire::SaV2& offer,
                                                                       const std::vector<EspSuite>& ours) {
  for (const wire::ProposalV2& p : offer.proposals) {
    if (p.protocol != k::kProtoEsp || p.spi.size() != 4) continue;
    const bool esn_ok = !has_type(p, k::kTransEsn) || has(p, k::kTransEsn, k::kEsnNo);
    for (const EspSuite& s : ours) {
      const bool integ_ok = is_aead(s.encr) || has(p, k::kTransInteg, s.integ);
      if (has(p, k::kTransEncr, s.encr, s.key_bits) && integ_ok && esn_ok) return std::pair{s, &p};
    }
  }
  return std::nullopt;
}

}  // namespace ikeconform::peer::ikev2
