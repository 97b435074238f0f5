// The cryptography of our IKE engine, on OpenSSL 3's EVP API only: hashes and HMAC, the IKEv2
// prf+ and key schedule (RFC 7296 §2.13, §2.14), the IKEv1 SKEYID family (RFC 2409 §5 and
// Appendix B), Diffie-Hellman groups 14 (MODP-2048, RFC 3526) and 19 (ECP-256, RFC 5903),
// AES-CBC, AES-GCM-16 (RFC 5282) and RSA signatures. Every function throws CryptoError when
// OpenSSL fails; none keeps state besides the DhKey it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include <openssl/types.h>

#include "wire/ike.hpp"

namespace ikeconform::peer::crypto {

using wire::Bytes;
using View = std::span<const std::uint8_t>;

class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Hash { Sha1, Sha256, Sha384, Sha512 };
std::size_t digest_size(Hash h);
const char* hash_name(Hash h);  // OpenSSL's name: "SHA256"

Bytes digest(Hash h, View data);
Bytes hmac(Hash h, View key, View data);
Bytes random_bytes(std::size_t n);
Bytes concat(std::initializer_list<View> parts);

// RFC 7296 §2.13: prf+ (K,S) = T1 | T2 | ..., T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
// cut to `size` octets. At most 255 blocks.
Bytes prf_plus(Hash prf, View key, View seed, std::size_t size);

// ---- Diffie-Hellman ------------------------------------------------------------------------------

// A private key of group 14 or 19 with its public value in IKE's encoding: MODP g^x padded to
// the modulus size (RFC 7296 §3.4), ECP x | y without the point format octet (RFC 5903 §7).
class DhKey {
 public:
  static DhKey generate(std::uint16_t group);
  // A known private value (known-answer tests): big-endian scalar / exponent.
  static DhKey from_private(std::uint16_t group, View private_value);
  ~DhKey();
  DhKey(DhKey&&) noexcept;
  DhKey& operator=(DhKey&&) noexcept;
  DhKey(const DhKey&) = delete;
  DhKey& operator=(const DhKey&) = delete;

  std::uint16_t group() const { return group_; }
  const Bytes& public_value() const { return public_; }
  // g^ir: MODP padded to the modulus size; ECP the x coordinate (RFC 5903 §7). Throws on a
  // public value that is not in the group.
  Bytes shared_secret(View peer_public) const;

 private:
  DhKey(std::uint16_t group, EVP_PKEY* key);
  std::uint16_t group_ = 0;
  EVP_PKEY* key_ = nullptr;
  Bytes public_;
};
bool dh_group_supported(std::uint16_t group);  // 14, 19
std::size_t dh_public_size(std::uint16_t group);

// ---- IKEv2 key schedule (RFC 7296 §2.14) ---------------------------------------------------------

struct Ikev2KeySizes {
  std::size_t prf_key = 32;  // SK_d, SK_pi, SK_pr: the prf's preferred key size
  std::size_t integ = 32;    // SK_ai, SK_ar (0 with an AEAD)
  std::size_t encr = 16;     // SK_ei, SK_er (AEAD: key + 4-octet salt, RFC 5282 §7.1)
};

struct Ikev2Keys {
  Bytes skeyseed, sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
};

// SKEYSEED = prf(Ni | Nr, g^ir); {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
// prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
Ikev2Keys ikev2_keys(Hash prf, const Ikev2KeySizes& sizes, View ni, View nr, View gir, View spi_i, View spi_r);

// ---- IKEv1 key schedule (RFC 2409 §5, Appendix B) -------------------------------------------------

struct Ikev1Keys {
  Bytes skeyid, skeyid_d, skeyid_a, skeyid_e;
  Bytes enc_key;  // SKEYID_e, expanded by Appendix B's K1 | K2 ... when too short, cut to the key size
  Bytes iv;       // phase 1 IV: hash(g^xi | g^xr) cut to the block size (§5, Appendix B)
};

// Signature authentication: SKEYID = prf(Ni_b | Nr_b, g^xy); SKEYID_d = prf(SKEYID, g^xy |
// CKY-I | CKY-R | 0); SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1); SKEYID_e =
// prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2). The prf is the HMAC of the negotiated hash.
Ikev1Keys ikev1_keys_signature(Hash prf, std::size_t key_size, std::size_t block_size, View ni, View nr, View gxy,
                               View cky_i, View cky_r, View gxi, View gxr);
// Quick Mode / Informational IV: hash(last phase 1 CBC block | M-ID) cut to the block size
// (RFC 2409 Appendix B).
Bytes ikev1_phase2_iv(Hash h, View last_block, std::uint32_t message_id, std::size_t block_size);

// ---- Ciphers ---------------------------------------------------------------------------------------

// AES-CBC without OpenSSL's padding (IKE pads itself): data must be a multiple of 16 octets.
Bytes aes_cbc_encrypt(View key, View iv, View plaintext);
Bytes aes_cbc_decrypt(View key, View iv, View ciphertext);
// AES-GCM with a 16-octet ICV (RFC 5282): key_salt = key | 4-octet salt, iv = the 8-octet IV;
// the nonce is salt | iv. Returns ciphertext | tag; decrypt returns nullopt when the tag fails.
inline constexpr std::size_t kGcmIcvSize = 16, kGcmIvSize = 8, kGcmSaltSize = 4;
Bytes aes_gcm_encrypt(View key_salt, View iv, View aad, View plaintext);
std::optional<Bytes> aes_gcm_decrypt(View key_salt, View iv, View aad, View ciphertext_and_tag);

// ---- Signatures ----------------------------------------------------------------------------------

// RSASSA-PKCS1-v1_5 over `data` with hash `h`.
Bytes rsa_sign(EVP_PKEY* key, Hash h, View data);
bool rsa_verify(EVP_PKEY* key, Hash h, View data, View signature);
// IKEv1's RSA signature (RFC 2409 §5.1): PKCS#1 v1.5 type 1 padding over the raw HASH_I /
// HASH_R, no DigestInfo (strongSwan's EMSA_PKCS1_NULL).
Bytes rsa_sign_raw(EVP_PKEY* key, View data);
bool rsa_verify_raw(EVP_PKEY* key, View data, View signature);

}  // namespace ikeconform::peer::crypto
