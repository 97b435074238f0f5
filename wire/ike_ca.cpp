// Distinguished names and CA tables: from the scenario's IOS DN strings to the bytes that
// CERT_REQ (IKEv1: DER Name, RFC 2408 §3.10) and CERTREQ (IKEv2: SHA-1 of SPKI, RFC 7296 §3.7)
// carry, and back to the model's CA indices.
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "model/input_error.hpp"
#include "model/predefined.hpp"
#include "wire/ike.hpp"

namespace ikeconform::wire {

namespace {

struct NameFree {
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
};
using NamePtr = std::unique_ptr<X509_NAME, NameFree>;
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

[[noreturn]] void bad_dn(std::string_view dn, const std::string& why) {
  throw InputError(fmt::format("dn \"{}\"", dn), 0, why);
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(' ');
  auto e = s.find_last_not_of(' ');
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// True when `s` at `i` starts an attribute "key=" (letters, digits, '.', '-' then '=').
bool starts_attribute(std::string_view s, std::size_t i) {
  while (i < s.size() && s[i] == ' ') ++i;
  const std::size_t key = i;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-')) ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  return i > key && i < s.size() && s[i] == '=' && std::isalpha(static_cast<unsigned char>(s[key]));
}

// Splits at commas that start a new "key=" (so "o=VeriSign, Inc." stays whole); "\," escapes.
std::vector<std::pair<std::string, std::string>> split_dn(std::string_view dn) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string part;
  auto flush = [&] {
    const auto eq = part.find('=');
    if (eq == std::string::npos) bad_dn(dn, fmt::format("component \"{}\" has no '='", part));
    std::string key = trim(std::string_view(part).substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.emplace_back(std::move(key), trim(std::string_view(part).substr(eq + 1)));
    part.clear();
  };
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\' && i + 1 < dn.size()) {
      part += dn[++i];
    } else if (dn[i] == ',' && starts_attribute(dn, i + 1)) {
      flush();
    } else {
      part += dn[i];
    }
  }
  flush();
  return out;
}

// IOS keywords -> OpenSSL NIDs, with the ASN.1 string type each attribute wants.
struct AttrType {
  int nid;
  bool ia5;  // IA5String-only attributes (RFC 5280 emailAddress, domainComponent)
};
AttrType attribute_type(std::string_view dn, const std::string& key) {
  if (key == "cn") return {NID_commonName, false};
  if (key == "o") return {NID_organizationName, false};
  if (key == "ou") return {NID_organizationalUnitName, false};
  if (key == "c") return {NID_countryName, false};
  if (key == "l") return {NID_localityName, false};
  if (key == "st") return {NID_stateOrProvinceName, false};
  if (key == "street") return {NID_streetAddress, false};
  if (key == "serialnumber") return {NID_serialNumber, false};
  if (key == "dc") return {NID_domainComponent, true};
  if (key == "e" || key == "ea" || key == "email" || key == "emailaddress") return {NID_pkcs9_emailAddress, true};
  if (key == "hostname" || key == "unstructuredname") return {NID_pkcs9_unstructuredName, true};  // IOS "hostname="
  if (key == "ipaddress" || key == "unstructuredaddress") return {NID_pkcs9_unstructuredAddress, false};
  const int nid = OBJ_txt2nid(key.c_str());
  if (nid == NID_undef) bad_dn(dn, fmt::format("unknown attribute \"{}\"", key));
  return {nid, false};
}

bool printable(std::string_view v) {  // X.680 PrintableString alphabet
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
  });
}

NamePtr name_from_ios(std::string_view dn) {
  NamePtr name(X509_NAME_new());
  auto parts = split_dn(dn);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {  // IOS order -> X.509 order
    const auto [nid, ia5] = attribute_type(dn, it->first);
    const std::string& value = it->second;
    if (value.empty()) bad_dn(dn, fmt::format("attribute \"{}\" has an empty value", it->first));
    const int type = ia5 ? V_ASN1_IA5STRING : printable(value) ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING;
    const auto* data = reinterpret_cast<const unsigned char*>(value.data());
    if (X509_NAME_add_entry_by_NID(name.get(), nid, type, data, static_cast<int>(value.size()), -1, 0) != 1)
      bad_dn(dn, fmt::format("OpenSSL rejected attribute \"{}\"", it->first));
  }
  return name;
}

NamePtr name_from_der(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  NamePtr n(d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size())));
  if (n && p != der.data() + der.size()) n.reset();  // trailing bytes: not one Name
  return n;
}

Bytes sha1(std::span<const std::uint8_t> data) {
  Bytes out(SHA_DIGEST_LENGTH);
  SHA1(data.data(), data.size(), out.data());
  return out;
}

CaIndex to_index(std::size_t i) { return static_cast<CaIndex>(i); }

}  // namespace

Bytes dn_der_from_ios(std::string_view ios_dn) {
  NamePtr name = name_from_ios(ios_dn);
  unsigned char* buf = nullptr;
  const int len = i2d_X509_NAME(name.get(), &buf);
  if (len <= 0) bad_dn(ios_dn, "OpenSSL could not encode the name");
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

std::string ios_dn_from_der(std::span<const std::uint8_t> der) {
  NamePtr name = name_from_der(der);
  if (!name) return {};
  std::string out;
  for (int i = X509_NAME_entry_count(name.get()) - 1; i >= 0; --i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name.get(), i);
    std::string key = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) return {};
    if (!out.empty()) out += ',';
    out += key + "=" + std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

Bytes spki_sha1_of_certificate(std::span<const std::uint8_t> cert_der) {
  const unsigned char* p = cert_der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
  if (!cert) throw InputError("certificate", 0, "not a DER X.509 certificate");
  unsigned char* spki = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &spki);
  if (len <= 0) throw InputError("certificate", 0, "no SubjectPublicKeyInfo");
  Bytes out = sha1({spki, static_cast<std::size_t>(len)});
  OPENSSL_free(spki);
  return out;
}

std::string ca_dn_string(const Scenario& s, CaIndex ca) {
  if (ca < 0) return {};
  const auto i = static_cast<std::size_t>(ca);
  if (i < s.cas.size()) return s.cas[i].dn;
  if (i - s.cas.size() < kPredefinedTrustpoints.size()) return std::string(kPredefinedTrustpoints[i - s.cas.size()].dn);
  return {};
}

Bytes placeholder_spki_sha1(std::span<const std::uint8_t> dn_der) { return sha1(dn_der); }

CaTables ca_tables(const Scenario& s, bool predefined, std::vector<Bytes> spki_sha1) {
  CaTables t;
  const std::size_t n = s.cas.size() + (predefined ? kPredefinedTrustpoints.size() : 0);
  for (std::size_t i = 0; i < n; ++i) t.dn_der.push_back(dn_der_from_ios(ca_dn_string(s, to_index(i))));
  t.spki_sha1 = std::move(spki_sha1);
  for (std::size_t i = t.spki_sha1.size(); i < n; ++i) t.spki_sha1.push_back(placeholder_spki_sha1(t.dn_der[i]));
  return t;
}

CaIndex ca_index_from_dn_der(std::span<const std::uint8_t> dn_der, const std::vector<Bytes>& ca_dn_der) {
  for (std::size_t i = 0; i < ca_dn_der.size(); ++i)
    if (std::equal(dn_der.begin(), dn_der.end(), ca_dn_der[i].begin(), ca_dn_der[i].end())) return to_index(i);
  NamePtr wanted = name_from_der(dn_der);
  if (!wanted) return kNone;
  for (std::size_t i = 0; i < ca_dn_der.size(); ++i) {
    NamePtr candidate = name_from_der(ca_dn_der[i]);
    if (candidate && X509_NAME_cmp(wanted.get(), candidate.get()) == 0) return to_index(i);
  }
  return kNone;
}

CaIndex ca_index_from_spki_sha1(std::span<const std::uint8_t> hash, const std::vector<Bytes>& ca_spki_sha1) {
  for (std::size_t i = 0; i < ca_spki_sha1.size(); ++i)
    if (std::equal(hash.begin(), hash.end(), ca_spki_sha1[i].begin(), ca_spki_sha1[i].end())) return to_index(i);
  return kNone;
}

std::vector<WireCertReq> certreqs_in(const IkeMessage& m, const CaTables& t) {
  std::vector<WireCertReq> out;
  const bool v1 = m.version() == IkeVersion::V1;
  for (const Payload& p : m.payloads) {
    const auto* cr = std::get_if<CertRequest>(&p.body);
    if (!cr || cr->encoding != kCertX509Signature) continue;
    if (v1) {
      out.push_back({ca_index_from_dn_der(cr->authority, t.dn_der), cr->authority});
      continue;
    }
    for (std::size_t at = 0; at < cr->authority.size(); at += kSha1Size) {
      const std::size_t n = std::min(kSha1Size, cr->authority.size() - at);
      Bytes hash(cr->authority.begin() + static_cast<std::ptrdiff_t>(at),
                 cr->authority.begin() + static_cast<std::ptrdiff_t>(at + n));
      const CaIndex ca = n == kSha1Size ? ca_index_from_spki_sha1(hash, t.spki_sha1) : kNone;
      out.push_back({ca, std::move(hash)});
    }
  }
  return out;
}

CertReqList to_certreq_list(const std::vector<WireCertReq>& reqs, const Scenario& s, std::uint8_t sender) {
  CertReqList out;
  const Peer* peer = sender < s.peers.size() ? &s.peers[sender] : nullptr;
  for (const WireCertReq& r : reqs) {
    CertReq c{r.ca, kNone};
    if (peer && r.ca >= 0) {
      const auto ca = static_cast<std::size_t>(r.ca);
      if (ca < s.cas.size()) {
        for (std::size_t i = 0; i < peer->trustpoints.size() && c.trustpoint == kNone; ++i)
          if (peer->trustpoints[i].ca == s.cas[ca].id) c.trustpoint = static_cast<TpIndex>(i);
      } else {
        c.trustpoint = static_cast<TpIndex>(peer->trustpoints.size() + (ca - s.cas.size()));
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace ikeconform::wire
