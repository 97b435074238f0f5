// PKCS#12 files in and out, and a throwaway self-signed CA certificate: what `ikeconform
// emulate` reads a router's trustpoints from (drivers/cisco_ios/emulate.hpp, docs/emulate.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace ikeconform::pki {

// One PKCS#12 file as PEM: the identity certificate and its key (both empty in a file of CA
// certificates only) and the CA certificate that issued it (else the first self-signed one,
// else the first), with that CA's DER subject Name.
struct P12Contents {
  std::string cert_pem, key_pem, ca_pem;
  std::vector<std::uint8_t> ca_subject_der;
};
// Throws InputError(file, 0, ...) for a missing file, a wrong password, a file that is not
// PKCS#12, a certificate without its key, or no CA certificate.
P12Contents read_p12(const std::filesystem::path& file, const std::string& password);
// The bytes of a PKCS#12 file (AES-256-CBC, PBKDF2) with `cert_pem` + `key_pem` (both may be
// empty) and `ca_pems`, as `openssl pkcs12 -export -in C -inkey K -certfile CA` writes it.
// Throws std::invalid_argument when a PEM does not parse.
std::string p12_bytes(const std::string& cert_pem, const std::string& key_pem, const std::vector<std::string>& ca_pems,
                      const std::string& password);
// One PKCS#12 file holding several identities and CA certificates (empty password): each
// certificate (in the clear) with its friendly name, and each identity's key shrouded
// (AES-256-CBC, one PBKDF2 iteration) under the same name and localKeyID. NSS imports them all
// in one `pk12util` call, one process for a whole database (drivers/libreswan/nss.hpp).
struct P12Identity {
  std::string friendly_name, cert_pem, key_pem;
};
struct P12Cert {
  std::string friendly_name, cert_pem;
};
std::string p12_bundle_bytes(const std::vector<P12Identity>& ids, const std::vector<P12Cert>& cas = {});
// A self-signed CA certificate (PEM, fresh RSA-2048 key, valid one hour) with subject
// `subject_der`: a stand-in for a CA that is named but whose certificate nobody gave.
std::string self_signed_ca_pem(std::span<const std::uint8_t> subject_der);

}  // namespace ikeconform::pki
