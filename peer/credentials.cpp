#include "peer/credentials.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <stdexcept>

#include "peer/crypto.hpp"

namespace ikeconform::peer {

void PkeyFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, X509Free>;

Ptr<X509> from_pem(std::string_view pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Ptr<X509> x(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  return x;
}

Ptr<X509> from_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  Ptr<X509> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (x && p != der.data() + der.size()) x.reset();  // trailing bytes: not one certificate
  ERR_clear_error();
  return x;
}

// DER of an OpenSSL object through its i2d_ function.
template <class T>
Bytes der(int (*i2d)(const T*, unsigned char**), const T* x, const char* what) {
  unsigned char* buf = nullptr;
  const int n = i2d(x, &buf);
  if (n <= 0) throw std::invalid_argument(std::string(what) + " does not encode");
  Bytes out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}
Bytes to_der(X509* x) { return der(i2d_X509, x, "certificate"); }
Bytes name_der(const X509_NAME* name) { return der(i2d_X509_NAME, name, "name"); }
Bytes spki_sha1(X509* x) {
  return crypto::digest(crypto::Hash::Sha1, der(i2d_X509_PUBKEY, X509_get_X509_PUBKEY(x), "SubjectPublicKeyInfo"));
}

}  // namespace

std::size_t Credentials::add_ca(std::string name, std::string_view cert_pem) {
  Ptr<X509> x = from_pem(cert_pem);
  if (!x) throw std::invalid_argument("CA certificate " + name + " is not PEM X.509");
  cas_.push_back({std::move(name), to_der(x.get()), spki_sha1(x.get()), name_der(X509_get_subject_name(x.get()))});
  return cas_.size() - 1;
}

std::size_t Credentials::add_own(std::string name, std::string_view cert_pem, std::string_view key_pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr, PkeyFree{});
  ERR_clear_error();
  if (!key) throw std::invalid_argument("private key of " + name + " is not PEM");
  return add_own(std::move(name), cert_pem, std::move(key));
}

std::size_t Credentials::add_own(std::string name, std::string_view cert_pem, Pkey key) {
  Ptr<X509> x = from_pem(cert_pem);
  if (!x) throw std::invalid_argument("certificate " + name + " is not PEM X.509");
  if (!key) throw std::invalid_argument("no private key for " + name);
  if (X509_check_private_key(x.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("private key of " + name + " does not match its certificate");
  }
  own_.push_back({std::move(name), to_der(x.get()), std::move(key), name_der(X509_get_issuer_name(x.get()))});
  return own_.size() - 1;
}

std::optional<std::size_t> Credentials::issuer_of(std::size_t own_index) const {
  const Bytes& issuer = own_.at(own_index).issuer_der;
  for (std::size_t i = 0; i < cas_.size(); ++i)
    if (cas_[i].subject_der == issuer) return i;
  return std::nullopt;
}

Pkey certificate_key(std::span<const std::uint8_t> der) {
  Ptr<X509> x = from_der(der);
  if (!x) return nullptr;
  Pkey key(X509_get_pubkey(x.get()), PkeyFree{});
  ERR_clear_error();
  return key;
}

Bytes certificate_issuer(std::span<const std::uint8_t> der) {
  Ptr<X509> x = from_der(der);
  return x ? name_der(X509_get_issuer_name(x.get())) : Bytes{};
}

Bytes certificate_subject_der(std::span<const std::uint8_t> der) {
  Ptr<X509> x = from_der(der);
  return x ? name_der(X509_get_subject_name(x.get())) : Bytes{};
}

std::string certificate_subject(std::span<const std::uint8_t> der) {
  Ptr<X509> x = from_der(der);
  if (!x) return "";
  Ptr<BIO> out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), X509_get_subject_name(x.get()), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::optional<std::size_t> validate(std::span<const std::uint8_t> der, const std::vector<const CaCert*>& anchors,
                                    std::string* why) {
  Ptr<X509> leaf = from_der(der);
  if (!leaf) {
    if (why) *why = "CERT is not a DER X.509 certificate";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < anchors.size(); ++i) {
    // One anchor per store: the answer is which trustpoint validates, not merely whether one does.
    Ptr<X509> ca = from_der(anchors[i]->der);
    if (!ca) continue;
    Ptr<X509_STORE> store(X509_STORE_new());
    Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
    if (!store || !ctx || X509_STORE_add_cert(store.get(), ca.get()) != 1 ||
        X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1)
      throw std::runtime_error("X509_STORE setup failed");
    if (X509_verify_cert(ctx.get()) == 1) {
      ERR_clear_error();
      return i;
    }
    if (why) *why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
  }
  if (why && anchors.empty()) *why = "no trust anchor to validate against";
  return std::nullopt;
}

}  // namespace ikeconform::peer
