// Making the certificates of a scenario: CAs, then identity certificates in enrollment order.
#include <openssl/sha.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include "drivers/pki/ossl.hpp"
#include "drivers/pki/pki.hpp"
#include "model/input_error.hpp"

namespace ikeconform::pki {
namespace fs = std::filesystem;
namespace {

// Fixed validity so that the same scenario gives the same bytes (UTCTime: before 2050).
constexpr const char* kNotBefore = "20200101000000Z";
constexpr const char* kNotAfter = "20491231235959Z";

bool printable(std::string_view s) {  // X.680 PrintableString alphabet
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
  });
}

int nid_of(const std::string& type) {
  static const std::pair<const char*, int> kNids[] = {
      {"CN", NID_commonName},
      {"OU", NID_organizationalUnitName},
      {"O", NID_organizationName},
      {"C", NID_countryName},
      {"L", NID_localityName},
      {"ST", NID_stateOrProvinceName},
      {"DC", NID_domainComponent},
      {"serialNumber", NID_serialNumber},
      {"emailAddress", NID_pkcs9_emailAddress},
      {"unstructuredName", NID_pkcs9_unstructuredName},
  };
  for (const auto& [name, nid] : kNids)
    if (type == name) return nid;
  throw std::logic_error("no NID for " + type);
}

// PrintableString wherever the value allows it (Libreswan's rightca= does not match
// UTF8String DNs); IA5String for the mail-like types; UTF8String as the last resort.
int string_type(const Rdn& rdn) {
  if (rdn.type == "emailAddress" || rdn.type == "DC" || rdn.type == "unstructuredName") return V_ASN1_IA5STRING;
  return printable(rdn.value) ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
}

// X.509 order is the reverse of the IOS order: least specific first.
ossl::Name make_name(const std::string& ios_dn) {
  ossl::Name name(ossl::check(X509_NAME_new(), "X509_NAME_new"));
  const std::vector<Rdn> rdns = parse_ios_dn(ios_dn);
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (it->type == "C" && (it->value.size() != 2 || !printable(it->value)))
      throw InputError("dn", 0, "'" + ios_dn + "': country must be two letters");
    const auto* bytes = reinterpret_cast<const unsigned char*>(it->value.data());
    ossl::check(X509_NAME_add_entry_by_NID(name.get(), nid_of(it->type), string_type(*it), bytes,
                                           static_cast<int>(it->value.size()), -1, 0),
                "X509_NAME_add_entry_by_NID");
  }
  return name;
}

// 63-bit serial from the issuer, subject and key slot: deterministic, distinct per object.
std::uint64_t serial_for(const std::string& issuer, const std::string& subject, std::size_t slot) {
  const std::string seed = issuer + '\0' + subject + '\0' + std::to_string(slot);
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), d);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  v &= 0x7fffffffffffffffULL;
  return v == 0 ? 1 : v;
}

void set_serial(X509* cert, std::uint64_t serial) {
  ossl::Int n(ossl::check(ASN1_INTEGER_new(), "ASN1_INTEGER_new"));
  ossl::check(ASN1_INTEGER_set_uint64(n.get(), serial), "ASN1_INTEGER_set_uint64");
  ossl::check(X509_set_serialNumber(cert, n.get()), "X509_set_serialNumber");
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ossl::Ext ext(ossl::check(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()), "X509V3_EXT_nconf_nid"));
  ossl::check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

struct CertSpec {
  std::string subject_dn, issuer_dn;  // IOS order
  std::uint64_t serial = 0;
  bool ca = false;
  bool v1 = false;
  const EVP_MD* digest = EVP_sha256();
  std::string san;  // "DNS:x,IP:y" or ""
};

// Builds and signs one certificate. `issuer_cert` null means self-signed.
ossl::X509Ptr build(const CertSpec& spec, EVP_PKEY* key, X509* issuer_cert, EVP_PKEY* issuer_key) {
  ossl::X509Ptr cert(ossl::check(X509_new(), "X509_new"));
  ossl::check(X509_set_version(cert.get(), spec.v1 ? X509_VERSION_1 : X509_VERSION_3), "X509_set_version");
  set_serial(cert.get(), spec.serial);
  ossl::check(ASN1_TIME_set_string_X509(X509_getm_notBefore(cert.get()), kNotBefore), "notBefore");
  ossl::check(ASN1_TIME_set_string_X509(X509_getm_notAfter(cert.get()), kNotAfter), "notAfter");
  ossl::check(X509_set_subject_name(cert.get(), make_name(spec.subject_dn).get()), "subject");
  ossl::check(X509_set_issuer_name(cert.get(), make_name(spec.issuer_dn).get()), "issuer");
  ossl::check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  X509* issuer = issuer_cert ? issuer_cert : cert.get();
  if (!spec.v1) {
    add_ext(cert.get(), issuer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
    add_ext(cert.get(), issuer, NID_key_usage,
            spec.ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature,keyEncipherment");
    add_ext(cert.get(), issuer, NID_subject_key_identifier, "hash");
    add_ext(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
    if (!spec.san.empty()) add_ext(cert.get(), issuer, NID_subject_alt_name, spec.san);
  }
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, spec.digest) <= 0) ossl::fail("X509_sign");
  return cert;
}

std::string cert_to_pem(X509* cert) {
  ossl::Bio bio(ossl::check(BIO_new(BIO_s_mem()), "BIO_new"));
  ossl::check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  return ossl::bio_string(bio.get());
}

// Memos of one process, by content: a campaign's scenarios share CAs and certificates far more
// often than not (the same few DNs, names and key slots), and signing is a private-key
// operation per certificate. Equal inputs give equal bytes (fixed validity, derived serials),
// so a memo hit is what make_pki would have made. Bounded: past kMemo entries it starts over.
constexpr std::size_t kMemo = 1024;

template <class V>
class Memo {
 public:
  template <class Make>
  std::shared_ptr<const V> get(const std::string& key, Make&& make) {
    {
      std::lock_guard lock(mu_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    auto v = std::make_shared<const V>(make());  // outside the lock: PKIs of two jobs in parallel
    std::lock_guard lock(mu_);
    if (map_.size() >= kMemo) map_.clear();
    return map_.try_emplace(key, std::move(v)).first->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const V>> map_;
};

struct Built {
  std::string pem;
  std::shared_ptr<X509> x509;  // for issuing (the AKI extension reads the issuer's SKI)
};

// build() through the memo: the key is everything build() reads, keys by their public half.
std::shared_ptr<const Built> built(const CertSpec& spec, const DecodedKey& key, const Built* issuer,
                                   const DecodedKey* issuer_key) {
  static Memo<Built> memo;
  std::string k = spec.subject_dn + '\0' + spec.issuer_dn + '\0' + std::to_string(spec.serial) + '\0' +
                  (spec.ca ? "ca" : "ee") + (spec.v1 ? "1" : "3") + '\0' + EVP_MD_get0_name(spec.digest) + '\0' +
                  spec.san + '\0' + hex(key.spki_sha1) + '\0';
  if (issuer) k += issuer->pem + '\0' + hex(issuer_key->spki_sha1);
  return memo.get(k, [&] {
    ossl::X509Ptr cert = build(spec, key.key.get(), issuer ? issuer->x509.get() : nullptr,
                               issuer_key ? issuer_key->key.get() : nullptr);
    Built b;
    b.pem = cert_to_pem(cert.get());
    b.x509 = std::shared_ptr<X509>(cert.release(), X509_free);
    return b;
  });
}

// The CA certificates made in this process, by PEM: the issuer of an identity certificate.
std::shared_ptr<const Built> issuer_by_pem(const std::string& pem) {
  static Memo<Built> memo;
  return memo.get(pem, [&] {
    ossl::Bio bio = ossl::mem_bio(pem);
    Built b;
    b.pem = pem;
    b.x509 = std::shared_ptr<X509>(ossl::check(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                               "PEM_read_bio_X509"),
                                   X509_free);
    return b;
  });
}

void write_file(const fs::path& p, const std::string& data, bool secret) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
  if (!out.flush()) throw std::runtime_error("cannot write " + p.string());
  if (secret) fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

// Empty password, no CA certificates inside (pk12util would import them untrusted, under
// nicknames of its own; the CAs go in separately with certutil -A).
// The bytes are kept by content too (two PBKDF runs each): the same name, key and certificate
// give the same file for the rest of the process.
void write_p12(const fs::path& p, const std::string& friendly, EVP_PKEY* key, X509* cert, const std::string& key_pem,
               const std::string& cert_pem) {
  static Memo<std::string> memo;
  const auto bytes = memo.get(friendly + '\0' + key_pem + '\0' + cert_pem, [&] {
    ossl::P12 p12(ossl::check(PKCS12_create("", friendly.c_str(), key, cert, nullptr, 0, 0, 0, 0, 0), "PKCS12_create"));
    return ossl::p12_der(p12.get());
  });
  write_file(p, *bytes, true);
}

std::string file_stem(const std::string& s) {  // names come from the scenario: keep them tame
  std::string out = s;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return out;
}

const EVP_MD* digest_for(const IdentityCert& c, const std::string& where, bool& v1) {
  const EVP_MD* md = EVP_sha256();
  for (const std::string& f : c.features) {
    if (f == "x509v1") v1 = true;
    else if (f == "sig-md5") md = EVP_md5();
    else if (f == "sig-sha1") md = EVP_sha1();
    else throw InputError("scenario", 0, where + ": certificate feature '" + f + "' is not supported by the PKI maker");
  }
  return md;
}

CaMaterial make_ca(const Ca& ca, std::size_t slot, const fs::path& dir, KeyCache& keys) {
  CaMaterial m;
  m.id = ca.id;
  m.ios_dn = ca.dn;
  m.dn = strongswan_dn(ca.dn);
  m.libreswan_dn = libreswan_dn(ca.dn);
  m.key_pem = keys.key_pem(slot);
  m.serial = serial_for(ca.dn, ca.dn, slot);
  const auto key = decoded_key(m.key_pem);
  CertSpec spec{ca.dn, ca.dn, m.serial, true, false, EVP_sha256(), ""};
  m.cert_pem = built(spec, *key, nullptr, nullptr)->pem;
  m.spki_sha1 = key->spki_sha1;
  m.ckaid = key->ckaid;
  m.key = key->key;
  m.cert_file = dir / (file_stem(ca.id) + ".crt");
  m.key_file = dir / (file_stem(ca.id) + ".key");
  write_file(m.cert_file, m.cert_pem, false);
  write_file(m.key_file, m.key_pem, true);
  return m;
}

}  // namespace

const CaMaterial* Pki::ca(std::string_view id) const {
  auto it = std::find_if(cas.begin(), cas.end(), [&](const CaMaterial& c) { return c.id == id; });
  return it == cas.end() ? nullptr : &*it;
}

const IdentityMaterial* Pki::cert(std::string_view peer, std::string_view trustpoint) const {
  auto it = std::find_if(certs.begin(), certs.end(),
                         [&](const IdentityMaterial& c) { return c.peer == peer && c.trustpoint == trustpoint; });
  return it == certs.end() ? nullptr : &*it;
}

std::vector<const IdentityMaterial*> Pki::certs_of(std::string_view peer) const {
  std::vector<const IdentityMaterial*> out;
  for (const IdentityMaterial& c : certs)
    if (c.peer == peer) out.push_back(&c);
  return out;
}

namespace {

// The k-th identity certificate of `peer`, issued by the CA of its trustpoint, with `subject`
// (certificate_subjects()).
IdentityMaterial make_identity(const Scenario& s, const Peer& peer, std::size_t k, std::size_t slot,
                               const std::string& subject, const Pki& pki, KeyCache& keys, const PkiOptions& o) {
  const IdentityCert& ic = peer.certificates[k];
  const std::string where = "peer '" + peer.name + "', certificate under '" + ic.trustpoint + "'";
  const Trustpoint* tp = find_trustpoint(peer, ic.trustpoint);
  if (!tp) throw InputError("scenario", 0, where + ": unknown trustpoint");
  const Ca* ca = find_ca(s, tp->ca);
  const CaMaterial* issuer = pki.ca(tp->ca);
  if (!ca || !issuer) throw InputError("scenario", 0, where + ": unknown CA '" + tp->ca + "'");

  IdentityMaterial m;
  m.peer = peer.name;
  m.trustpoint = ic.trustpoint;
  m.ca = ca->id;
  m.enrollment = k;
  m.name = file_stem(peer.name + "-" + ic.trustpoint);
  // The subject the model's DN identity sends (model/dn.hpp): unit, synthesized subject and the
  // "ou=<unit>," that keeps two subjects of one router apart are decided there. The subject plays
  // no part in an FQDN or address identity (that is the SAN).
  m.ios_subject = subject;
  m.dn = strongswan_dn(m.ios_subject);
  m.libreswan_dn = libreswan_dn(m.ios_subject);
  m.san_dns = peer.fqdn;
  m.san_ip = peer.address;
  m.key_pem = keys.key_pem(slot);
  m.serial = serial_for(ca->dn, m.ios_subject, slot);
  const auto key = decoded_key(m.key_pem);
  m.spki_sha1 = key->spki_sha1;
  m.ckaid = key->ckaid;
  m.key = key->key;

  CertSpec spec{m.ios_subject, ca->dn, m.serial, false, false, EVP_sha256(), ""};
  spec.digest = digest_for(ic, where, spec.v1);
  if (!m.san_dns.empty()) spec.san = "DNS:" + m.san_dns;
  if (!m.san_ip.empty()) spec.san += (spec.san.empty() ? "IP:" : ",IP:") + m.san_ip;
  // Two different certificates never share issuer and serial: NSS keeps every certificate a
  // pluto has seen and refuses a second one with the same pair (SEC_ERROR_REUSED_ISSUER_AND_SERIAL,
  // libreswan seed 3: an x509v1 certificate after a v3 one of the same subject and key).
  spec.serial = m.serial = serial_for(ca->dn,
                                      m.ios_subject + '\0' + (spec.v1 ? "v1" : "v3") + '\0' +
                                          EVP_MD_get0_name(spec.digest) + '\0' + spec.san + '\0' + issuer->cert_pem,
                                      slot);
  const auto cert = built(spec, *key, issuer_by_pem(issuer->cert_pem).get(), decoded_key(issuer->key_pem).get());
  m.cert_pem = cert->pem;
  m.cert_file = pki.dir / (m.name + ".crt");
  m.key_file = pki.dir / (m.name + ".key");
  write_file(m.cert_file, m.cert_pem, false);
  write_file(m.key_file, m.key_pem, true);
  if (o.p12) {
    m.p12_file = pki.dir / (m.name + ".p12");
    write_p12(m.p12_file, m.name, key->key.get(), cert->x509.get(), m.key_pem, m.cert_pem);
  }
  return m;
}

}  // namespace

Pki make_pki(const Scenario& s, const fs::path& dir, KeyCache& keys) { return make_pki(s, dir, keys, PkiOptions{}); }

Pki make_pki(const Scenario& s, const fs::path& dir, KeyCache& keys, const PkiOptions& o) {
  fs::create_directories(dir);
  Pki pki;
  pki.dir = dir;
  for (std::size_t i = 0; i < s.cas.size(); ++i) pki.cas.push_back(make_ca(s.cas[i], i, dir, keys));
  std::size_t slot = s.cas.size();
  for (const Peer& peer : s.peers) {
    const std::vector<std::string> subjects = certificate_subjects(s, peer);
    for (std::size_t k = 0; k < peer.certificates.size(); ++k)
      pki.certs.push_back(make_identity(s, peer, k, slot++, subjects[k], pki, keys, o));
  }
  return pki;
}

Scenario pki_part(const Scenario& s) {
  Scenario p;
  p.cas = s.cas;
  for (const Peer& peer : s.peers) {
    Peer q;
    q.name = peer.name;
    q.fqdn = peer.fqdn;
    q.address = peer.address;
    q.trustpoints = peer.trustpoints;
    q.certificates = peer.certificates;
    p.peers.push_back(std::move(q));
  }
  return p;
}

}  // namespace ikeconform::pki
