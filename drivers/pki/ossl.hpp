// Private to the PKI library: owning pointers for OpenSSL objects and error text.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ikeconform::pki::ossl {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using P12 = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;
using Int = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;

// Throws with OpenSSL's queued error text: a failure here is a harness bug, not bad input.
[[noreturn]] inline void fail(const std::string& what) {
  std::string detail;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    detail += std::string("; ") + buf;
  }
  throw std::runtime_error("OpenSSL: " + what + detail);
}

template <class T>
T* check(T* p, const char* what) {
  if (p == nullptr) fail(what);
  return p;
}
inline void check(int ok, const char* what) {
  if (ok <= 0) fail(what);
}

inline Bio mem_bio(std::string_view data) {
  return Bio(check(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())), "BIO_new_mem_buf"));
}

inline std::string bio_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(n)};
}

inline Pkey read_key(std::string_view pem) {
  Bio bio = mem_bio(pem);
  return Pkey(check(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), "PEM_read_bio_PrivateKey"));
}

inline std::string p12_der(PKCS12* p12) {  // the bytes of a PKCS#12 file
  unsigned char* der = nullptr;
  const int len = i2d_PKCS12(p12, &der);
  if (len <= 0) fail("i2d_PKCS12");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

inline std::string key_to_pem(EVP_PKEY* key) {  // PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted
  Bio bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "PEM_write_bio_PrivateKey");
  return bio_string(bio.get());
}

}  // namespace ikeconform::pki::ossl
