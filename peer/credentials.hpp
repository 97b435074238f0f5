// What one emulated peer holds: trusted CA certificates and its own certificates with their
// private keys, as OpenSSL objects, plus the helpers IKE needs around them (the CERTREQ hash of
// a CA, chain validation against a chosen set of anchors, the public key of a received CERT).
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/ike.hpp"

namespace ikeconform::peer {

using wire::Bytes;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const;
};
using Pkey = std::shared_ptr<EVP_PKEY>;

struct CaCert {
  std::string name;  // for traces: the trustpoint or file stem
  Bytes der;
  Bytes spki_sha1;    // the IKEv2 CERTREQ entry (RFC 7296 §3.7)
  Bytes subject_der;  // the IKEv1 CERT_REQ entry (RFC 2408 §3.10)
};

struct OwnCert {
  std::string name;
  Bytes der;
  Pkey key;
  Bytes issuer_der;  // the certificate's issuer Name, to match it to a CaCert
};

class Credentials {
 public:
  // PEM text; throws std::invalid_argument when it does not parse.
  std::size_t add_ca(std::string name, std::string_view cert_pem);
  std::size_t add_own(std::string name, std::string_view cert_pem, std::string_view key_pem);
  // The same with the private key already decoded (shared, used read-only).
  std::size_t add_own(std::string name, std::string_view cert_pem, Pkey key);

  const std::vector<CaCert>& cas() const { return cas_; }
  const std::vector<OwnCert>& own() const { return own_; }
  // The CA (index into cas()) that issued own()[i], by issuer Name; nullopt when none here.
  std::optional<std::size_t> issuer_of(std::size_t own_index) const;

 private:
  std::vector<CaCert> cas_;
  std::vector<OwnCert> own_;
};

// The public key of a DER certificate; null when it does not parse.
Pkey certificate_key(std::span<const std::uint8_t> der);
// The DER issuer Name of a DER certificate; empty when it does not parse.
Bytes certificate_issuer(std::span<const std::uint8_t> der);
// The DER subject Name of a DER certificate (an ID_DER_ASN1_DN payload's data); empty when it
// does not parse.
Bytes certificate_subject_der(std::span<const std::uint8_t> der);
// "CN=R1, O=cisco" for traces; "" when it does not parse.
std::string certificate_subject(std::span<const std::uint8_t> der);
// RFC 5280 path validation of `der` against `anchors` only (no CRLs: the harness makes none),
// at the current time. Returns the index into `anchors` of the CA it chains to, or nullopt
// with OpenSSL's reason in `why`.
std::optional<std::size_t> validate(std::span<const std::uint8_t> der, const std::vector<const CaCert*>& anchors,
                                    std::string* why = nullptr);

}  // namespace ikeconform::peer
