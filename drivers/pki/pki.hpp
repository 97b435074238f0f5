// Test PKI for real IKE stacks, made in-process with OpenSSL 3 from a Scenario: one self-signed
// CA per scenario CA, one identity certificate per IdentityCert, each with its own RSA key.
// Output is deterministic for a given scenario and key cache (fixed validity, serials derived
// from the names), so that a failing run can be replayed byte for byte.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/dn.hpp"
#include "model/scenario.hpp"

namespace ikeconform::pki {

// ---- Distinguished names ----

// The DN parser is the model's (model/dn.hpp): certificate subjects are decided there.
using ikeconform::parse_ios_dn;
using ikeconform::Rdn;

// The DN as strongSwan prints it: X.509 order (least specific first), "O=com, O=cisco, CN=CA1".
std::string strongswan_dn(std::string_view ios_dn);
// The same for Libreswan's rightca= / leftid=: commas inside values escaped as "\,".
std::string libreswan_dn(std::string_view ios_dn);

// ---- Keys ----

using Sha1 = std::array<std::uint8_t, 20>;
std::string hex(const Sha1& digest);  // lowercase, no separators (Libreswan's leftckaid form)

// A pool of RSA keys on disk, by slot number, shared by the runs of a campaign (RSA-2048
// generation dominates PKI time). Files: DIR/rsa<bits>-<slot>.pem, PKCS#8. Generation holds
// an flock on DIR/.lock and renames into place, so parallel runs never clash.
class KeyCache {
 public:
  explicit KeyCache(std::filesystem::path dir, unsigned bits = 2048);
  // $IKECONFORM_KEY_CACHE, else $XDG_CACHE_HOME/ikeconform/keys, else ~/.cache/ikeconform/keys.
  static std::filesystem::path default_dir();

  std::string key_pem(std::size_t slot);  // PKCS#8 PEM; generated on first use
  const std::filesystem::path& dir() const { return dir_; }
  unsigned bits() const { return bits_; }
  std::size_t generated() const { return generated_; }  // keys this object had to make

 private:
  std::filesystem::path dir_;
  unsigned bits_;
  std::size_t generated_ = 0;
};

// A private key decoded once per process: OpenSSL 3's PEM decoders cost about a millisecond a
// key, and a campaign makes every scenario's PKI from the same few slots. Equal PEM text, one
// entry; the EVP_PKEY is shared read-only (safe across threads once made). Thread-safe.
struct DecodedKey {
  std::shared_ptr<EVP_PKEY> key;
  std::array<std::uint8_t, 20> spki_sha1{}, ckaid{};  // as spki_sha1() / ckaid() below
};
std::shared_ptr<const DecodedKey> decoded_key(std::string_view key_pem);

// SHA-1 of the DER SubjectPublicKeyInfo: the IKEv2 CERTREQ "Certification Authority" entry
// (RFC 7296 §3.7) and strongSwan's key id of a CA.
Sha1 spki_sha1(std::string_view key_pem);
// NSS's CKA_ID of an RSA key: SHA-1 of the modulus (big-endian, no leading zero). Libreswan's
// leftckaid=.
Sha1 ckaid(std::string_view key_pem);

// ---- The PKI of a scenario ----

struct CaMaterial {
  std::string id;            // Ca::id
  std::string ios_dn;        // as in the scenario
  std::string dn;            // strongswan_dn()
  std::string libreswan_dn;  // libreswan_dn()
  std::uint64_t serial = 0;
  std::string cert_pem, key_pem;
  Sha1 spki_sha1{}, ckaid{};
  std::filesystem::path cert_file, key_file;  // DIR/<id>.crt, DIR/<id>.key
  std::shared_ptr<EVP_PKEY> key;              // key_pem decoded (decoded_key()), shared
};

struct IdentityMaterial {
  std::string peer;            // Peer::name
  std::string trustpoint;      // IdentityCert::trustpoint
  std::string ca;              // Ca::id of the issuer
  std::size_t enrollment = 0;  // index in Peer::certificates (enrollment order, oldest first)
  std::string name;            // "<peer>-<trustpoint>": file stem and PKCS#12 friendly name
  std::string ios_subject;     // IdentityCert::subject, or the synthesized one
  std::string dn, libreswan_dn;
  std::string san_dns, san_ip;  // the peer's fqdn and address ("" when the peer has none)
  std::uint64_t serial = 0;
  std::string cert_pem, key_pem;
  Sha1 spki_sha1{}, ckaid{};
  std::filesystem::path cert_file, key_file, p12_file;  // .crt, .key (PKCS#8), .p12 (password "")
  std::shared_ptr<EVP_PKEY> key;                        // key_pem decoded (decoded_key()), shared
};

struct Pki {
  std::filesystem::path dir;
  std::vector<CaMaterial> cas;          // scenario order
  std::vector<IdentityMaterial> certs;  // peers in order, each in enrollment order
  const CaMaterial* ca(std::string_view id) const;
  const IdentityMaterial* cert(std::string_view peer, std::string_view trustpoint) const;
  std::vector<const IdentityMaterial*> certs_of(std::string_view peer) const;
};

struct PkiOptions {
  // PKCS#12 files cost two PBKDF runs each and only NSS (Libreswan) reads them: strongSwan
  // targets turn them off. Without them IdentityMaterial::p12_file is empty.
  bool p12 = true;
};

// Makes every CA and identity certificate of `s`, writes them into `dir` (created) and returns
// them. Key slots: CA i uses slot i, the k-th identity certificate slot (#CAs + k).
// IdentityCert features honoured: "x509v1" (version 1, no extensions), "sig-md5", "sig-sha1";
// any other feature throws InputError. Throws InputError for unresolved references.
Pki make_pki(const Scenario& s, const std::filesystem::path& dir, KeyCache& keys);
Pki make_pki(const Scenario& s, const std::filesystem::path& dir, KeyCache& keys, const PkiOptions& o);

// What make_pki() reads of `s`: the CAs and each peer's name, identities, trustpoints and
// certificates. Scenarios with equal parts get equal PKIs, so a target keeps its PKI while the
// part stays the same (both directions of one scenario, a campaign varying only profiles).
Scenario pki_part(const Scenario& s);

}  // namespace ikeconform::pki
