// DER certificate names for `crypto pki certificate chain` blocks (spec section 6: the CA's
// subject DN is the strongest evidence of which CA a trustpoint stands for).
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <memory>

#include "ios/text.hpp"

namespace ikeconform::ios::detail {
namespace {

std::string attribute_name(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid == NID_pkcs9_unstructuredName) return "hostname";  // IOS prints these two this way
  if (nid == NID_pkcs9_unstructuredAddress) return "ipaddress";
  const char* sn = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
  if (!sn) {
    char buf[80];
    OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return buf;
  }
  std::string s(sn);
  bool upper = true;
  for (char c : s)
    if (c >= 'a' && c <= 'z') upper = false;
  if (upper)  // "CN" -> "cn", but "serialNumber" stays
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string entry_value(const X509_NAME_ENTRY* e) {
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
  if (n < 0) return {};
  std::string v(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return v;
}

// Most specific RDN first ("cn=CA1,o=cisco,o=com"); the values of a multi-valued RDN keep
// their order and are joined by '+', as in the note's "serialNumber=100+ipaddress=...".
std::string ios_dn(const X509_NAME* name) {
  std::vector<std::string> rdns;
  int prev_set = -1;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    std::string ava = attribute_name(X509_NAME_ENTRY_get_object(e)) + "=" + entry_value(e);
    int set = X509_NAME_ENTRY_set(e);
    if (set == prev_set && !rdns.empty()) rdns.back() += "+" + ava;
    else rdns.push_back(std::move(ava));
    prev_set = set;
  }
  std::string out;
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) out += (out.empty() ? "" : ",") + *it;
  return out;
}

// One DER TLV header at `p`; on success `p` is at the content and `len` its length.
bool header(const unsigned char*& p, const unsigned char* end, int& tag, int& cls, long& len) {
  if (p >= end) return false;
  int ret = ASN1_get_object(&p, &len, &tag, &cls, end - p);
  return (ret & 0x80) == 0 && ret != 0x21 && len >= 0 && len <= end - p;  // no error, definite length
}

bool skip(const unsigned char*& p, const unsigned char* end) {
  int tag = 0, cls = 0;
  long len = 0;
  if (!header(p, end, tag, cls, len)) return false;
  p += len;
  return true;
}

std::optional<std::string> name_at(const unsigned char*& p, const unsigned char* end) {
  const unsigned char* start = p;
  if (!skip(p, end)) return std::nullopt;
  const unsigned char* q = start;
  std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(d2i_X509_NAME(nullptr, &q, p - start), &X509_NAME_free);
  if (!name) return std::nullopt;
  return ios_dn(name.get());
}

}  // namespace

// Walks Certificate -> TBSCertificate by hand and decodes only the two Names: d2i_X509 in
// OpenSSL 3 also decodes the public key through the provider machinery, ~100x slower, and the
// configuration parser is fuzzed for throughput.
std::optional<DerNames> der_names(const std::vector<unsigned char>& der) {
  const unsigned char* p = der.data();
  const unsigned char* end = p + der.size();
  int tag = 0, cls = 0;
  long len = 0;
  if (!header(p, end, tag, cls, len) || tag != V_ASN1_SEQUENCE) return std::nullopt;  // Certificate
  if (!header(p, end, tag, cls, len) || tag != V_ASN1_SEQUENCE) return std::nullopt;  // TBSCertificate
  const unsigned char* tbs_end = p + len;
  const unsigned char* v = p;
  if (header(v, tbs_end, tag, cls, len) && cls == V_ASN1_CONTEXT_SPECIFIC && tag == 0) p = v + len;  // [0] version
  if (!skip(p, tbs_end) || !skip(p, tbs_end)) return std::nullopt;  // serialNumber, signature
  auto issuer = name_at(p, tbs_end);
  if (!issuer || !skip(p, tbs_end)) return std::nullopt;  // validity
  auto subject = name_at(p, tbs_end);
  if (!subject) return std::nullopt;
  return DerNames{std::move(*subject), std::move(*issuer)};
}

}  // namespace ikeconform::ios::detail
