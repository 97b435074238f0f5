#include "peer/protocol_bugs.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <utility>

#include "model/protocol_bugs.hpp"
#include "peer/crypto.hpp"

namespace ikeconform::peer {

namespace {

// Name -> switch, in model/protocol_bugs.hpp's order (the test checks both lists agree).
const std::array<std::pair<std::string_view, bool ProtocolBugs::*>, kProtocolBugs.size()> kSwitches = {{
    {"certreq_unknown_ca", &ProtocolBugs::certreq_unknown_ca},
    {"certreq_empty", &ProtocolBugs::certreq_empty},
    {"certreq_64", &ProtocolBugs::certreq_64},
    {"certreq_1000_hashes", &ProtocolBugs::certreq_1000_hashes},
    {"certreq_truncated", &ProtocolBugs::certreq_truncated},
    {"cert_unrequested_ca", &ProtocolBugs::cert_unrequested_ca},
    {"cert_chain_reversed", &ProtocolBugs::cert_chain_reversed},
    {"cert_wrong_encoding", &ProtocolBugs::cert_wrong_encoding},
    {"id_not_in_cert", &ProtocolBugs::id_not_in_cert},
    {"cert_twice", &ProtocolBugs::cert_twice},
}};

constexpr std::uint8_t kCertCrl = 7;  // RFC 2408 §3.9 / RFC 7296 §3.6: Certificate Revocation List

template <class T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Free<X509, X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, Free<X509_NAME, X509_NAME_free>>;

NamePtr name_of(const std::string& cn) {
  NamePtr n(X509_NAME_new());
  const auto add = [&](const char* field, const std::string& v) {
    if (!X509_NAME_add_entry_by_txt(n.get(), field, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(v.c_str()), -1,
                                    -1, 0))
      throw std::runtime_error("X509_NAME_add_entry_by_txt failed");
  };
  add("O", "ikeconform");
  add("CN", cn);
  return n;
}

}  // namespace

bool ProtocolBugs::any() const {
  for (const auto& [name, field] : kSwitches)
    if (this->*field) return true;
  return false;
}

std::vector<std::string> ProtocolBugs::names() const {
  std::vector<std::string> out;
  for (const auto& [name, field] : kSwitches)
    if (this->*field) out.emplace_back(name);
  return out;
}

ProtocolBugs protocol_bugs(const std::vector<std::string>& names) {
  ProtocolBugs b;
  for (const std::string& n : names) {
    bool known = false;
    for (const auto& [name, field] : kSwitches)
      if (name == n) {
        b.*field = true;
        known = true;
      }
    if (!known) throw std::invalid_argument("unknown protocol bug '" + n + "' (known: " + protocol_bug_names() + ")");
  }
  return b;
}

std::string inexpressible(const std::vector<std::string>& names, IkeVersion v) {
  for (const std::string& n : names) {
    const ProtocolBugInfo* b = find_protocol_bug(n);
    if (!b) return "unknown protocol bug '" + n + "'";
    if ((v == IkeVersion::V1 ? b->v1 : b->v2) == BugReaction::None)
      return fmt::format("protocol bug {} does not exist in IKEv{}", n, v == IkeVersion::V1 ? 1 : 2);
  }
  return "";
}

Bytes unknown_ca_entry(IkeVersion v, std::size_t n) {
  const std::string cn = fmt::format("ikeconform unknown CA {}", n);
  if (v == IkeVersion::V2)
    return crypto::digest(crypto::Hash::Sha1,
                          crypto::View(reinterpret_cast<const std::uint8_t*>(cn.data()), cn.size()));
  const NamePtr name = name_of(cn);
  unsigned char* der = nullptr;
  const int len = i2d_X509_NAME(name.get(), &der);
  if (len <= 0) throw std::runtime_error("i2d_X509_NAME failed");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Bytes reissued_by_unknown_ca(const Bytes& der) {
  // One throwaway CA key per process: 2048-bit RSA keys take a while to make.
  static const std::shared_ptr<EVP_PKEY> ca_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}),
                                                EVP_PKEY_free);
  if (!ca_key) throw std::runtime_error("cannot make the unrequested CA's key");
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) throw std::invalid_argument("own certificate does not parse");
  const NamePtr issuer = name_of("ikeconform unrequested CA");
  X509_set_issuer_name(cert.get(), issuer.get());
  const int aki = X509_get_ext_by_NID(cert.get(), NID_authority_key_identifier, -1);
  if (aki >= 0) X509_EXTENSION_free(X509_delete_ext(cert.get(), aki));
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) throw std::runtime_error("X509_sign failed");
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert.get(), &out);
  if (len <= 0) throw std::runtime_error("i2d_X509 failed");
  Bytes b(out, out + len);
  OPENSSL_free(out);
  return b;
}

std::vector<std::vector<Bytes>> certreq_payloads(const ProtocolBugs& bugs, IkeVersion v, std::vector<Bytes> entries,
                                                 std::vector<std::string>& log) {
  const bool v2 = v == IkeVersion::V2;
  if (bugs.certreq_unknown_ca) {
    entries = {unknown_ca_entry(v, 0)};
    log.push_back("protocol bug certreq_unknown_ca: requesting only a CA nobody holds");
  }
  if (bugs.certreq_empty) {
    entries.clear();
    log.push_back("protocol bug certreq_empty: one CERTREQ with an empty Certification Authority field");
  }
  if (bugs.certreq_1000_hashes && v2) {
    for (std::size_t n = 1; entries.size() < 1000; ++n) entries.push_back(unknown_ca_entry(v, n));
    log.push_back("protocol bug certreq_1000_hashes: one CERTREQ of 1000 hashes");
  }
  if (bugs.certreq_truncated && !entries.empty()) {
    Bytes& last = entries.back();
    last.resize(v2 ? wire::kSha1Size - 1 : last.size() / 2);
    log.push_back(fmt::format("protocol bug certreq_truncated: the last CA entry cut to {} octets", last.size()));
  }
  std::vector<std::vector<Bytes>> payloads;
  if (v2) payloads.push_back(std::move(entries));
  else if (entries.empty()) payloads.emplace_back();
  else
    for (Bytes& e : entries) payloads.push_back({std::move(e)});
  if (bugs.certreq_64) {
    for (std::size_t n = 1; payloads.size() < 64; ++n) payloads.push_back({unknown_ca_entry(v, 100 + n)});
    log.push_back("protocol bug certreq_64: 64 CERTREQ payloads");
  }
  return payloads;
}

std::vector<wire::Cert> cert_payloads(const ProtocolBugs& bugs, const Credentials& creds, std::size_t own,
                                      std::vector<std::string>& log) {
  const OwnCert& mine = creds.own().at(own);
  std::vector<wire::Cert> out = {{wire::kCertX509Signature, mine.der}};
  if (bugs.cert_unrequested_ca) {
    out.front().data = reissued_by_unknown_ca(mine.der);
    log.push_back(
        "protocol bug cert_unrequested_ca: our certificate re-issued by \"O=ikeconform, CN=ikeconform "
        "unrequested CA\"");
  }
  if (bugs.cert_wrong_encoding) {
    out.front().encoding = kCertCrl;
    log.push_back("protocol bug cert_wrong_encoding: our certificate as encoding 7 (CRL)");
  }
  if (bugs.cert_chain_reversed) {
    if (const auto ca = creds.issuer_of(own)) {
      out.insert(out.begin(), wire::Cert{wire::kCertX509Signature, creds.cas().at(*ca).der});
      log.push_back("protocol bug cert_chain_reversed: sending the CA certificate \"" +
                    certificate_subject(creds.cas().at(*ca).der) + "\" first");
    }
  }
  if (bugs.cert_twice) {
    out.push_back(out.back());
    log.push_back("protocol bug cert_twice: sending the end entity certificate twice");
  }
  return out;
}

}  // namespace ikeconform::peer
