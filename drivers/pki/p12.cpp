// PKCS#12 in and out (p12.hpp).
#include "drivers/pki/p12.hpp"

#include <fstream>
#include <sstream>

#include "drivers/pki/ossl.hpp"
#include "model/input_error.hpp"

namespace ikeconform::pki {

namespace {

struct CertStackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using CertStack = std::unique_ptr<STACK_OF(X509), CertStackFree>;

std::string cert_pem(X509* c) {
  ossl::Bio b(ossl::check(BIO_new(BIO_s_mem()), "BIO_new"));
  ossl::check(PEM_write_bio_X509(b.get(), c), "PEM_write_bio_X509");
  return ossl::bio_string(b.get());
}

ossl::X509Ptr parse_cert(const std::string& pem) {
  ossl::Bio b = ossl::mem_bio(pem);
  ossl::X509Ptr c(PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr));
  if (!c) throw std::invalid_argument("a certificate does not parse as PEM");
  return c;
}

// The CA of the chain that issued `cert`; else the first self-signed one; else the first.
X509* issuing_ca(STACK_OF(X509) * chain, X509* cert) {
  const int n = chain ? sk_X509_num(chain) : 0;
  for (int i = 0; i < n && cert; ++i)
    if (X509_NAME_cmp(X509_get_subject_name(sk_X509_value(chain, i)), X509_get_issuer_name(cert)) == 0)
      return sk_X509_value(chain, i);
  for (int i = 0; i < n; ++i)
    if (X509_check_issued(sk_X509_value(chain, i), sk_X509_value(chain, i)) == X509_V_OK)
      return sk_X509_value(chain, i);
  return n > 0 ? sk_X509_value(chain, 0) : nullptr;
}

}  // namespace

P12Contents read_p12(const std::filesystem::path& file, const std::string& password) {
  const std::string name = file.string();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) throw InputError(name, 0, "is a directory, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(name, 0, "cannot read file");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  ossl::P12 p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
  ERR_clear_error();
  if (!p12) throw InputError(name, 0, "not a PKCS#12 file");
  if (PKCS12_mac_present(p12.get()) && PKCS12_verify_mac(p12.get(), password.c_str(), -1) != 1) {
    ERR_clear_error();
    throw InputError(name, 0, "wrong password (give it as TP=FILE.p12:PASSWORD or with --p12-password)");
  }
  EVP_PKEY* k = nullptr;
  X509* c = nullptr;
  STACK_OF(X509)* cas = nullptr;
  const int ok = PKCS12_parse(p12.get(), password.c_str(), &k, &c, &cas);
  ossl::Pkey key(k);
  ossl::X509Ptr cert(c);
  CertStack chain(cas);
  ERR_clear_error();
  if (ok != 1) throw InputError(name, 0, "cannot decrypt: wrong password or an unsupported PKCS#12 encryption");
  if (cert && !key) throw InputError(name, 0, "holds a certificate without its private key");
  P12Contents out;
  if (cert) {
    out.cert_pem = cert_pem(cert.get());
    out.key_pem = ossl::key_to_pem(key.get());
  }
  X509* ca = issuing_ca(chain.get(), cert.get());
  if (!ca)
    throw InputError(name, 0,
                     "holds no CA certificate: export it with the chain (openssl pkcs12 -export ... -certfile CA.crt)");
  out.ca_pem = cert_pem(ca);
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(X509_get_subject_name(ca), &der);
  if (len <= 0) ossl::fail("i2d_X509_NAME");
  out.ca_subject_der.assign(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string p12_bytes(const std::string& cert, const std::string& key, const std::vector<std::string>& ca_pems,
                      const std::string& password) {
  ossl::X509Ptr c = cert.empty() ? nullptr : parse_cert(cert);
  ossl::Pkey k;
  if (!key.empty()) {
    ossl::Bio b = ossl::mem_bio(key);
    k.reset(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
    if (!k) throw std::invalid_argument("the key does not parse as PEM");
  }
  CertStack chain(ossl::check(sk_X509_new_null(), "sk_X509_new_null"));
  for (const std::string& pem : ca_pems) {
    ossl::X509Ptr ca = parse_cert(pem);
    if (sk_X509_push(chain.get(), ca.get()) <= 0) ossl::fail("sk_X509_push");
    ca.release();  // the stack owns it now
  }
  ossl::P12 p12(ossl::check(PKCS12_create(password.c_str(), "ikeconform", k.get(), c.get(), chain.get(),
                                          NID_aes_256_cbc, NID_aes_256_cbc, 0, 0, 0),
                            "PKCS12_create"));
  return ossl::p12_der(p12.get());
}

std::string p12_bundle_bytes(const std::vector<P12Identity>& ids, const std::vector<P12Cert>& cas) {
  struct SafesFree {
    void operator()(STACK_OF(PKCS7) * s) const { sk_PKCS7_pop_free(s, PKCS7_free); }
  };
  struct BagsFree {
    void operator()(STACK_OF(PKCS12_SAFEBAG) * s) const { sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free); }
  };
  using Bags = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), BagsFree>;
  std::unique_ptr<STACK_OF(PKCS7), SafesFree> safes(ossl::check(sk_PKCS7_new_null(), "sk_PKCS7_new_null"));
  STACK_OF(PKCS7)* raw_safes = safes.get();  // PKCS12_add_safe pushes onto it (it only creates one for null)
  // Both bags of an identity carry its name and the certificate's SHA-1 as localKeyID, which
  // is how a reader pairs a key with its certificate.
  auto label = [](PKCS12_SAFEBAG* bag, const std::string& name, const unsigned char* id, unsigned int n) {
    ossl::check(PKCS12_add_friendlyname(bag, name.c_str(), -1), "PKCS12_add_friendlyname");
    ossl::check(PKCS12_add_localkeyid(bag, const_cast<unsigned char*>(id), static_cast<int>(n)),
                "PKCS12_add_localkeyid");
  };
  for (const P12Identity& id : ids) {
    ossl::X509Ptr c = parse_cert(id.cert_pem);
    ossl::Bio b = ossl::mem_bio(id.key_pem);
    ossl::Pkey k(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
    if (!k) throw std::invalid_argument("the key of " + id.friendly_name + " does not parse as PEM");
    unsigned char keyid[EVP_MAX_MD_SIZE];
    unsigned int keyid_len = 0;
    ossl::check(X509_digest(c.get(), EVP_sha1(), keyid, &keyid_len), "X509_digest");
    STACK_OF(PKCS12_SAFEBAG)* raw = nullptr;
    PKCS12_SAFEBAG* cert_bag = PKCS12_add_cert(&raw, c.get());
    Bags cert_bags(raw);
    label(ossl::check(cert_bag, "PKCS12_add_cert"), id.friendly_name, keyid, keyid_len);
    // Certificates in the clear and one PBKDF2 iteration for the shrouded key: a throwaway bundle
    // under an empty password, read once by pk12util. The default 2,048 iterations, paid twice
    // per identity by us and twice by pk12util, were ~5 % of a Libreswan campaign's CPU.
    ossl::check(PKCS12_add_safe(&raw_safes, cert_bags.get(), -1, 0, nullptr), "PKCS12_add_safe");
    raw = nullptr;
    PKCS12_SAFEBAG* key_bag = PKCS12_add_key(&raw, k.get(), 0, 1, NID_aes_256_cbc, "");
    Bags key_bags(raw);
    label(ossl::check(key_bag, "PKCS12_add_key"), id.friendly_name, keyid, keyid_len);
    ossl::check(PKCS12_add_safe(&raw_safes, key_bags.get(), -1, 0, nullptr), "PKCS12_add_safe");
  }
  // The CA certificates: cert bags with a name and no localKeyID (no key pairs with them).
  if (!cas.empty()) {
    Bags ca_bags(ossl::check(sk_PKCS12_SAFEBAG_new_null(), "sk_PKCS12_SAFEBAG_new_null"));
    STACK_OF(PKCS12_SAFEBAG)* raw = ca_bags.get();  // PKCS12_add_cert pushes onto it
    for (const P12Cert& ca : cas) {
      ossl::X509Ptr c = parse_cert(ca.cert_pem);
      PKCS12_SAFEBAG* bag = ossl::check(PKCS12_add_cert(&raw, c.get()), "PKCS12_add_cert");
      ossl::check(PKCS12_add_friendlyname(bag, ca.friendly_name.c_str(), -1), "PKCS12_add_friendlyname");
    }
    ossl::check(PKCS12_add_safe(&raw_safes, ca_bags.get(), -1, 0, nullptr), "PKCS12_add_safe");
  }
  ossl::P12 p12(ossl::check(PKCS12_add_safes(safes.get(), 0), "PKCS12_add_safes"));
  ossl::check(PKCS12_set_mac(p12.get(), "", -1, nullptr, 0, 1, nullptr), "PKCS12_set_mac");  // as PKCS12_create
  return ossl::p12_der(p12.get());
}

std::string self_signed_ca_pem(std::span<const std::uint8_t> subject_der) {
  ossl::Pkey key(ossl::check(EVP_RSA_gen(2048), "EVP_RSA_gen"));
  ossl::X509Ptr c(ossl::check(X509_new(), "X509_new"));
  const unsigned char* p = subject_der.data();
  ossl::Name name(ossl::check(d2i_X509_NAME(nullptr, &p, static_cast<long>(subject_der.size())), "d2i_X509_NAME"));
  ossl::check(X509_set_version(c.get(), 2), "X509_set_version");
  ossl::check(ASN1_INTEGER_set(X509_get_serialNumber(c.get()), 1), "ASN1_INTEGER_set");
  ossl::check(X509_gmtime_adj(X509_getm_notBefore(c.get()), 0), "X509_gmtime_adj");
  ossl::check(X509_gmtime_adj(X509_getm_notAfter(c.get()), 3600), "X509_gmtime_adj");
  ossl::check(X509_set_subject_name(c.get(), name.get()), "X509_set_subject_name");
  ossl::check(X509_set_issuer_name(c.get(), name.get()), "X509_set_issuer_name");
  ossl::check(X509_set_pubkey(c.get(), key.get()), "X509_set_pubkey");
  ossl::check(X509_sign(c.get(), key.get(), EVP_sha256()), "X509_sign");
  return cert_pem(c.get());
}

}  // namespace ikeconform::pki
