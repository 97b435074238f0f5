#include "drivers/libreswan/nss.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "model/input_error.hpp"

namespace ikeconform::libreswan {

namespace fs = std::filesystem;

namespace {

std::string sha256_hex(const std::string& data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static const char* hexd = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hexd[d[i] >> 4];
    out += hexd[d[i] & 15];
  }
  return out;
}

// The three files of an NSS "sql:" database.
constexpr const char* kDbFiles[] = {"cert9.db", "key4.db", "pkcs11.txt"};

}  // namespace

NssContent nss_content(const Scenario& s, std::size_t peer, const pki::Pki& pki) {
  const Peer& p = s.peers.at(peer);
  NssContent c;
  // The database is a set: the same certificates in another order make the same database.
  std::vector<std::string> parts;
  for (const Trustpoint& t : p.trustpoints) {
    if (std::any_of(c.cas.begin(), c.cas.end(), [&](const pki::P12Cert& x) { return x.friendly_name == t.ca; }))
      continue;
    const pki::CaMaterial* m = pki.ca(t.ca);
    if (!m) throw InputError(s.name, 0, "PKI has no CA '" + t.ca + "'");
    c.cas.push_back({t.ca, m->cert_pem});
    parts.push_back("CA " + t.ca + "\n" + m->cert_pem);
  }
  for (const IdentityCert& ic : p.certificates) {
    const pki::IdentityMaterial* m = pki.cert(p.name, ic.trustpoint);
    if (!m) throw InputError(s.name, 0, "PKI has no certificate " + p.name + "/" + ic.trustpoint);
    c.identities.push_back({m->name, m->cert_pem, m->key_pem});
    parts.push_back("ID " + m->name + "\n" + m->cert_pem + m->key_pem);
  }
  std::sort(parts.begin(), parts.end());
  std::string all;
  for (const std::string& part : parts) all += part;
  c.fingerprint = sha256_hex(all);
  return c;
}

void build_nss_db(const fs::path& dir, const NssContent& c, std::chrono::milliseconds timeout) {
  fs::create_directories(dir);
  process::check_run({"certutil", "-N", "-d", "sql:" + dir.string(), "--empty-password"}, {}, timeout);
  fill_nss_db(dir, c, timeout);
}

void fill_nss_db(const fs::path& dir, const NssContent& c, std::chrono::milliseconds timeout) {
  if (c.cas.empty() && c.identities.empty()) return;
  const fs::path bundle = dir / "content.p12";
  process::write_file(bundle, pki::p12_bundle_bytes(c.identities, c.cas));
  fs::permissions(bundle, fs::perms::owner_read | fs::perms::owner_write);
  process::check_run({"pk12util", "-i", bundle.string(), "-d", "sql:" + dir.string(), "-W", ""}, {}, timeout);
  fs::remove(bundle);
}

bool install_nss_db(const fs::path& cache_dir, const fs::path& dir, const NssContent& c) {
  const fs::path tmpl = cache_dir / c.fingerprint.substr(0, 24);
  bool built = false;
  // Build beside, rename into place: a half-built template is never used.
  auto build = [&](const fs::path& t, auto&& make) {
    const fs::path partial = t.string() + ".partial";
    fs::remove_all(partial);
    make(partial);
    fs::remove_all(t);
    fs::rename(partial, t);
  };
  if (!fs::exists(tmpl / "cert9.db")) {
    const fs::path empty = cache_dir / "empty";
    if (!fs::exists(empty / "cert9.db")) build(empty, [](const fs::path& p) { build_nss_db(p, NssContent{}); });
    build(tmpl, [&](const fs::path& p) {
      fs::create_directories(p);
      for (const char* f : kDbFiles) fs::copy_file(empty / f, p / f);
      fill_nss_db(p, c);
    });
    built = true;
  }
  fs::create_directories(dir);
  for (const char* f : kDbFiles) fs::copy_file(tmpl / f, dir / f, fs::copy_options::overwrite_existing);
  return built;
}

}  // namespace ikeconform::libreswan
