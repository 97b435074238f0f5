// OpenSSL 3 EVP only (no deprecated low-level calls). Key schedules follow RFC 7296 §2.13-2.14
// and RFC 2409 §5 / Appendix B; strongSwan's keymat_v2.c / keymat_v1.c were read for how a real
// stack orders the same steps.
#include "peer/crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <fmt/format.h>

#include <utility>

namespace ikeconform::peer::crypto {

namespace {

[[noreturn]] void fail(const std::string& what) {
  const unsigned long e = ERR_get_error();
  std::string detail = e ? ERR_error_string(e, nullptr) : "no OpenSSL error";
  ERR_clear_error();
  throw CryptoError(what + ": " + detail);
}
void ok(int r, const char* what) {
  if (r <= 0) fail(what);
}
template <class T>
T* nonnull(T* p, const char* what) {
  if (!p) fail(what);
  return p;
}

struct Free {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Free>;

const EVP_MD* md(Hash h) {
  switch (h) {
    case Hash::Sha1: return EVP_sha1();
    case Hash::Sha256: return EVP_sha256();
    case Hash::Sha384: return EVP_sha384();
    case Hash::Sha512: return EVP_sha512();
  }
  throw CryptoError("unknown hash");
}

Bytes bn_bytes(const BIGNUM* bn, std::size_t size) {
  Bytes out(size);
  if (BN_bn2binpad(bn, out.data(), static_cast<int>(size)) < 0) fail("BN_bn2binpad");
  return out;
}
Ptr<BIGNUM> bn(View b) {
  return Ptr<BIGNUM>(nonnull(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr), "BN_bin2bn"));
}

// Group 14 is RFC 3526's 2048-bit MODP group, "modp_2048" in OpenSSL 3; group 19 is NIST P-256.
struct GroupInfo {
  const char* algorithm;
  const char* name;
  std::size_t public_size;
};
const GroupInfo& group_info(std::uint16_t group) {
  static const GroupInfo kModp2048{"DH", "modp_2048", 256}, kEcp256{"EC", "prime256v1", 64};
  if (group == 14) return kModp2048;
  if (group == 19) return kEcp256;
  throw CryptoError(fmt::format("Diffie-Hellman group {} is not implemented (14 and 19 are)", group));
}

// A key of `group` from OSSL parameters (public: g^y or the point; private: x with its g^x).
EVP_PKEY* key_from(std::uint16_t group, const BIGNUM* priv, View pub_value, int selection) {
  const GroupInfo& g = group_info(group);
  Ptr<OSSL_PARAM_BLD> bld(nonnull(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
  ok(OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, g.name, 0), "group name");
  Ptr<BIGNUM> pub_bn;
  Bytes point;
  if (group == 19) {
    point.push_back(0x04);  // uncompressed point: IKE carries x | y only (RFC 5903 §7)
    point.insert(point.end(), pub_value.begin(), pub_value.end());
    ok(OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()), "EC point");
  } else {
    pub_bn = bn(pub_value);
    ok(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub_bn.get()), "DH public");
  }
  if (priv) ok(OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv), "private value");
  Ptr<OSSL_PARAM> params(nonnull(OSSL_PARAM_BLD_to_param(bld.get()), "OSSL_PARAM_BLD_to_param"));
  Ptr<EVP_PKEY_CTX> ctx(
      nonnull(EVP_PKEY_CTX_new_from_name(nullptr, g.algorithm, nullptr), "EVP_PKEY_CTX_new_from_name"));
  ok(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
  EVP_PKEY* key = nullptr;
  ok(EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()), "EVP_PKEY_fromdata");
  return key;
}

Bytes public_of(std::uint16_t group, EVP_PKEY* key) {
  const GroupInfo& g = group_info(group);
  if (group == 19) {
    Bytes point(65);
    std::size_t len = 0;
    ok(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(), point.size(), &len),
       "EC public point");
    if (len != 65 || point[0] != 0x04) throw CryptoError("EC public point is not uncompressed P-256");
    return Bytes(point.begin() + 1, point.end());
  }
  BIGNUM* pub = nullptr;
  ok(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &pub), "DH public");
  Ptr<BIGNUM> owned(pub);
  return bn_bytes(pub, g.public_size);
}

}  // namespace

std::size_t digest_size(Hash h) { return static_cast<std::size_t>(EVP_MD_get_size(md(h))); }
const char* hash_name(Hash h) { return EVP_MD_get0_name(md(h)); }

Bytes digest(Hash h, View data) {
  Bytes out(digest_size(h));
  unsigned len = 0;
  ok(EVP_Digest(data.data(), data.size(), out.data(), &len, md(h), nullptr), "EVP_Digest");
  return out;
}

Bytes hmac(Hash h, View key, View data) {
  static const Bytes kEmptyKeyByte{0};  // EVP_MAC refuses a null key; HMAC pads keys with zeros anyway
  Ptr<EVP_MAC> mac(nonnull(EVP_MAC_fetch(nullptr, "HMAC", nullptr), "EVP_MAC_fetch HMAC"));
  Ptr<EVP_MAC_CTX> ctx(nonnull(EVP_MAC_CTX_new(mac.get()), "EVP_MAC_CTX_new"));
  std::string name = hash_name(h);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.data(), 0),
                         OSSL_PARAM_construct_end()};
  const View k = key.empty() ? View(kEmptyKeyByte) : key;
  ok(EVP_MAC_init(ctx.get(), k.data(), k.size(), params), "EVP_MAC_init");
  ok(EVP_MAC_update(ctx.get(), data.data(), data.size()), "EVP_MAC_update");
  Bytes out(digest_size(h));
  std::size_t len = 0;
  ok(EVP_MAC_final(ctx.get(), out.data(), &len, out.size()), "EVP_MAC_final");
  out.resize(len);
  return out;
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n) ok(RAND_bytes(out.data(), static_cast<int>(n)), "RAND_bytes");
  return out;
}

Bytes concat(std::initializer_list<View> parts) {
  Bytes out;
  for (View p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes prf_plus(Hash prf, View key, View seed, std::size_t size) {
  Bytes out, t;
  for (unsigned n = 1; out.size() < size; ++n) {
    if (n > 255) throw CryptoError("prf+ asked for more than 255 blocks (RFC 7296 §2.13)");
    Bytes input = t;
    input.insert(input.end(), seed.begin(), seed.end());
    input.push_back(static_cast<std::uint8_t>(n));
    t = hmac(prf, key, input);
    out.insert(out.end(), t.begin(), t.end());
  }
  out.resize(size);
  return out;
}

// ---- DhKey ------------------------------------------------------------------------------------

bool dh_group_supported(std::uint16_t group) { return group == 14 || group == 19; }
std::size_t dh_public_size(std::uint16_t group) { return group_info(group).public_size; }

DhKey::DhKey(std::uint16_t group, EVP_PKEY* key) : group_(group), key_(key), public_(public_of(group, key)) {}
DhKey::~DhKey() { EVP_PKEY_free(key_); }
DhKey::DhKey(DhKey&& o) noexcept
    : group_(o.group_), key_(std::exchange(o.key_, nullptr)), public_(std::move(o.public_)) {}
DhKey& DhKey::operator=(DhKey&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(key_);
    group_ = o.group_;
    key_ = std::exchange(o.key_, nullptr);
    public_ = std::move(o.public_);
  }
  return *this;
}

DhKey DhKey::generate(std::uint16_t group) {
  const GroupInfo& g = group_info(group);
  Ptr<EVP_PKEY_CTX> ctx(
      nonnull(EVP_PKEY_CTX_new_from_name(nullptr, g.algorithm, nullptr), "EVP_PKEY_CTX_new_from_name"));
  ok(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
  std::string name = g.name;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, name.data(), 0),
                         OSSL_PARAM_construct_end()};
  ok(EVP_PKEY_CTX_set_params(ctx.get(), params), "set group");
  EVP_PKEY* key = nullptr;
  ok(EVP_PKEY_generate(ctx.get(), &key), "EVP_PKEY_generate");
  return DhKey(group, key);
}

DhKey DhKey::from_private(std::uint16_t group, View private_value) {
  Ptr<BIGNUM> priv = bn(private_value);
  Bytes pub;
  if (group == 19) {
    // P-256: x | y of d * G (EC_POINT_mul is not among OpenSSL 3's deprecated EC_KEY calls;
    // EVP_PKEY_fromdata does not derive the public point of a private-only key).
    std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> g(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1),
                                                          EC_GROUP_free);
    std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> q(g ? EC_POINT_new(g.get()) : nullptr, EC_POINT_free);
    if (!q) fail("EC_POINT_new");
    ok(EC_POINT_mul(g.get(), q.get(), priv.get(), nullptr, nullptr, nullptr), "EC_POINT_mul");
    Bytes point(65);
    if (EC_POINT_point2oct(g.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(), point.size(), nullptr) != 65)
      fail("EC_POINT_point2oct");
    pub.assign(point.begin() + 1, point.end());
  } else {
    // MODP: g^x mod p with the group's own p and g.
    DhKey ref = generate(group);
    BIGNUM *p = nullptr, *g = nullptr;
    ok(EVP_PKEY_get_bn_param(ref.key_, OSSL_PKEY_PARAM_FFC_P, &p), "FFC p");
    Ptr<BIGNUM> p_owned(p);
    ok(EVP_PKEY_get_bn_param(ref.key_, OSSL_PKEY_PARAM_FFC_G, &g), "FFC g");
    Ptr<BIGNUM> g_owned(g);
    Ptr<BIGNUM> y(nonnull(BN_new(), "BN_new"));
    Ptr<BN_CTX> bctx(nonnull(BN_CTX_new(), "BN_CTX_new"));
    ok(BN_mod_exp(y.get(), g, priv.get(), p, bctx.get()), "BN_mod_exp");
    pub = bn_bytes(y.get(), group_info(group).public_size);
  }
  return DhKey(group, key_from(group, priv.get(), pub, EVP_PKEY_KEYPAIR));
}

Bytes DhKey::shared_secret(View peer_public) const {
  if (peer_public.size() != group_info(group_).public_size)
    throw CryptoError(fmt::format("group {} public value of {} octets, expected {} (RFC 7296 §3.4)", group_,
                                  peer_public.size(), group_info(group_).public_size));
  Ptr<EVP_PKEY> peer(key_from(group_, nullptr, peer_public, EVP_PKEY_PUBLIC_KEY));
  Ptr<EVP_PKEY_CTX> ctx(nonnull(EVP_PKEY_CTX_new_from_pkey(nullptr, key_, nullptr), "EVP_PKEY_CTX_new_from_pkey"));
  ok(EVP_PKEY_derive_init(ctx.get()), "EVP_PKEY_derive_init");
  bool full_check = true;
  if (group_ != 19) {
    ok(EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1), "DH pad");  // g^ir is as long as p (§2.14)
    // A MODP group's prime is safe: RFC 6989 §2.2 asks only 1 < y < p-1. OpenSSL's full check
    // (y^q mod p = 1) is one more 2048-bit exponentiation, the largest cost of a handshake here.
    BIGNUM* p = nullptr;
    ok(EVP_PKEY_get_bn_param(key_, OSSL_PKEY_PARAM_FFC_P, &p), "DH prime");
    Ptr<BIGNUM> p_owned(p);
    const Ptr<BIGNUM> y = bn(peer_public);
    Ptr<BIGNUM> p_minus_1(nonnull(BN_dup(p), "BN_dup"));
    ok(BN_sub_word(p_minus_1.get(), 1), "BN_sub_word");
    if (BN_is_zero(y.get()) || BN_is_one(y.get()) || BN_cmp(y.get(), p_minus_1.get()) >= 0)
      throw CryptoError(fmt::format("group {} public value outside 1 < y < p-1 (RFC 6989 §2.2)", group_));
    full_check = false;
  }
  ok(EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), full_check ? 1 : 0), "peer public value rejected");
  std::size_t len = 0;
  ok(EVP_PKEY_derive(ctx.get(), nullptr, &len), "EVP_PKEY_derive size");
  Bytes out(len);
  ok(EVP_PKEY_derive(ctx.get(), out.data(), &len), "EVP_PKEY_derive");
  out.resize(len);
  return out;
}

// ---- Key schedules ----------------------------------------------------------------------------

Ikev2Keys ikev2_keys(Hash prf, const Ikev2KeySizes& z, View ni, View nr, View gir, View spi_i, View spi_r) {
  Ikev2Keys k;
  k.skeyseed = hmac(prf, concat({ni, nr}), gir);
  const std::size_t total = 3 * z.prf_key + 2 * z.integ + 2 * z.encr;
  const Bytes stream = prf_plus(prf, k.skeyseed, concat({ni, nr, spi_i, spi_r}), total);
  std::size_t at = 0;
  auto take = [&](std::size_t n) {
    Bytes b(stream.begin() + static_cast<std::ptrdiff_t>(at), stream.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
    return b;
  };
  k.sk_d = take(z.prf_key);
  k.sk_ai = take(z.integ);
  k.sk_ar = take(z.integ);
  k.sk_ei = take(z.encr);
  k.sk_er = take(z.encr);
  k.sk_pi = take(z.prf_key);
  k.sk_pr = take(z.prf_key);
  return k;
}

Ikev1Keys ikev1_keys_signature(Hash prf, std::size_t key_size, std::size_t block_size, View ni, View nr, View gxy,
                               View cky_i, View cky_r, View gxi, View gxr) {
  Ikev1Keys k;
  const std::uint8_t zero = 0, one = 1, two = 2;
  k.skeyid = hmac(prf, concat({ni, nr}), gxy);
  k.skeyid_d = hmac(prf, k.skeyid, concat({gxy, cky_i, cky_r, View(&zero, 1)}));
  k.skeyid_a = hmac(prf, k.skeyid, concat({k.skeyid_d, gxy, cky_i, cky_r, View(&one, 1)}));
  k.skeyid_e = hmac(prf, k.skeyid, concat({k.skeyid_a, gxy, cky_i, cky_r, View(&two, 1)}));
  // Appendix B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1), when
  // SKEYID_e is shorter than the cipher's key.
  if (k.skeyid_e.size() >= key_size) {
    k.enc_key.assign(k.skeyid_e.begin(), k.skeyid_e.begin() + static_cast<std::ptrdiff_t>(key_size));
  } else {
    Bytes block = hmac(prf, k.skeyid_e, View(&zero, 1));
    while (true) {
      k.enc_key.insert(k.enc_key.end(), block.begin(), block.end());
      if (k.enc_key.size() >= key_size) break;
      block = hmac(prf, k.skeyid_e, block);
    }
    k.enc_key.resize(key_size);
  }
  k.iv = digest(prf, concat({gxi, gxr}));
  k.iv.resize(block_size);
  return k;
}

Bytes ikev1_phase2_iv(Hash h, View last_block, std::uint32_t message_id, std::size_t block_size) {
  const std::uint8_t mid[4] = {static_cast<std::uint8_t>(message_id >> 24), static_cast<std::uint8_t>(message_id >> 16),
                               static_cast<std::uint8_t>(message_id >> 8), static_cast<std::uint8_t>(message_id)};
  Bytes iv = digest(h, concat({last_block, View(mid, 4)}));
  iv.resize(block_size);
  return iv;
}

// ---- Ciphers ----------------------------------------------------------------------------------

namespace {

const EVP_CIPHER* aes_cbc(std::size_t key_size) {
  switch (key_size) {
    case 16: return EVP_aes_128_cbc();
    case 24: return EVP_aes_192_cbc();
    case 32: return EVP_aes_256_cbc();
    default: throw CryptoError(fmt::format("AES-CBC key of {} octets", key_size));
  }
}
const EVP_CIPHER* aes_gcm(std::size_t key_size) {
  switch (key_size) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: throw CryptoError(fmt::format("AES-GCM key of {} octets", key_size));
  }
}

Bytes cbc(bool encrypt, View key, View iv, View in) {
  if (in.size() % 16 != 0) throw CryptoError(fmt::format("AES-CBC input of {} octets is not whole blocks", in.size()));
  if (iv.size() != 16) throw CryptoError("AES-CBC IV is not 16 octets");
  Ptr<EVP_CIPHER_CTX> ctx(nonnull(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new"));
  ok(EVP_CipherInit_ex(ctx.get(), aes_cbc(key.size()), nullptr, key.data(), iv.data(), encrypt ? 1 : 0),
     "AES-CBC "
     "init");
  ok(EVP_CIPHER_CTX_set_padding(ctx.get(), 0), "AES-CBC padding off");
  Bytes out(in.size() + 16);
  int len = 0, fin = 0;
  ok(EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())), "AES-CBC update");
  ok(EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin), "AES-CBC final");
  out.resize(static_cast<std::size_t>(len + fin));
  return out;
}

Ptr<EVP_CIPHER_CTX> gcm_init(bool encrypt, View key_salt, View iv, View aad) {
  if (key_salt.size() < kGcmSaltSize + 16 || iv.size() != kGcmIvSize) throw CryptoError("AES-GCM key or IV size");
  const View key = key_salt.first(key_salt.size() - kGcmSaltSize);
  const Bytes nonce = concat({key_salt.last(kGcmSaltSize), iv});  // RFC 5282 §4: salt | IV
  Ptr<EVP_CIPHER_CTX> ctx(nonnull(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new"));
  ok(EVP_CipherInit_ex(ctx.get(), aes_gcm(key.size()), nullptr, nullptr, nullptr, encrypt ? 1 : 0), "AES-GCM init");
  ok(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr),
     "AES-GCM IV length");
  ok(EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), -1), "AES-GCM key");
  int len = 0;
  if (!aad.empty())
    ok(EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())), "AES-GCM AAD");
  return ctx;
}

}  // namespace

Bytes aes_cbc_encrypt(View key, View iv, View plaintext) { return cbc(true, key, iv, plaintext); }
Bytes aes_cbc_decrypt(View key, View iv, View ciphertext) { return cbc(false, key, iv, ciphertext); }

Bytes aes_gcm_encrypt(View key_salt, View iv, View aad, View plaintext) {
  auto ctx = gcm_init(true, key_salt, iv, aad);
  Bytes out(plaintext.size() + kGcmIcvSize);
  int len = 0, fin = 0;
  if (!plaintext.empty())
    ok(EVP_CipherUpdate(ctx.get(), out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())),
       "AES-GCM update");
  ok(EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin), "AES-GCM final");
  ok(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmIcvSize, out.data() + plaintext.size()), "AES-GCM tag");
  return out;
}

std::optional<Bytes> aes_gcm_decrypt(View key_salt, View iv, View aad, View in) {
  if (in.size() < kGcmIcvSize) return std::nullopt;
  const View ct = in.first(in.size() - kGcmIcvSize);
  Bytes tag(in.end() - kGcmIcvSize, in.end());
  auto ctx = gcm_init(false, key_salt, iv, aad);
  Bytes out(ct.size() + 16);
  int len = 0, fin = 0;
  if (!ct.empty())
    ok(EVP_CipherUpdate(ctx.get(), out.data(), &len, ct.data(), static_cast<int>(ct.size())), "AES-GCM update");
  ok(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmIcvSize, tag.data()), "AES-GCM set tag");
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) <= 0) {
    ERR_clear_error();
    return std::nullopt;  // ICV mismatch
  }
  out.resize(static_cast<std::size_t>(len + fin));
  return out;
}

// ---- Signatures -------------------------------------------------------------------------------

Bytes rsa_sign(EVP_PKEY* key, Hash h, View data) {
  Ptr<EVP_MD_CTX> ctx(nonnull(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  ok(EVP_DigestSignInit(ctx.get(), nullptr, md(h), nullptr, key), "EVP_DigestSignInit");
  std::size_t len = 0;
  ok(EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()), "EVP_DigestSign size");
  Bytes sig(len);
  ok(EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()), "EVP_DigestSign");
  sig.resize(len);
  return sig;
}

bool rsa_verify(EVP_PKEY* key, Hash h, View data, View signature) {
  Ptr<EVP_MD_CTX> ctx(nonnull(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  ok(EVP_DigestVerifyInit(ctx.get(), nullptr, md(h), nullptr, key), "EVP_DigestVerifyInit");
  const int r = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size());
  ERR_clear_error();
  return r == 1;
}

Bytes rsa_sign_raw(EVP_PKEY* key, View data) {
  Ptr<EVP_PKEY_CTX> ctx(nonnull(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), "EVP_PKEY_CTX_new_from_pkey"));
  ok(EVP_PKEY_sign_init(ctx.get()), "EVP_PKEY_sign_init");
  ok(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), "RSA PKCS#1 padding");
  std::size_t len = 0;
  ok(EVP_PKEY_sign(ctx.get(), nullptr, &len, data.data(), data.size()), "EVP_PKEY_sign size");
  Bytes sig(len);
  ok(EVP_PKEY_sign(ctx.get(), sig.data(), &len, data.data(), data.size()), "EVP_PKEY_sign");
  sig.resize(len);
  return sig;
}

bool rsa_verify_raw(EVP_PKEY* key, View data, View signature) {
  Ptr<EVP_PKEY_CTX> ctx(nonnull(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), "EVP_PKEY_CTX_new_from_pkey"));
  ok(EVP_PKEY_verify_init(ctx.get()), "EVP_PKEY_verify_init");
  ok(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING), "RSA PKCS#1 padding");
  const int r = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), data.data(), data.size());
  ERR_clear_error();
  return r == 1;
}

}  // namespace ikeconform::peer::crypto
