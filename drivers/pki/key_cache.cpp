// The on-disk RSA key pool and the key digests IKE stacks use to name keys.
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "drivers/pki/ossl.hpp"
#include "drivers/pki/pki.hpp"
#include "model/files.hpp"

namespace ikeconform::pki {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Holds an exclusive flock for its lifetime; released by close() even if we crash.
class FileLock {
 public:
  explicit FileLock(const fs::path& p) : fd_(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot open lock file " + p.string());
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) throw std::runtime_error("cannot lock " + p.string());
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

Sha1 sha1(const unsigned char* data, std::size_t len) {
  Sha1 d{};
  SHA1(data, len, d.data());
  return d;
}

}  // namespace

std::string hex(const Sha1& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : digest) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xf];
  }
  return s;
}

KeyCache::KeyCache(fs::path dir, unsigned bits) : dir_(std::move(dir)), bits_(bits) { fs::create_directories(dir_); }

fs::path KeyCache::default_dir() {
  if (const char* d = std::getenv("IKECONFORM_KEY_CACHE"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "ikeconform" / "keys";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".cache" / "ikeconform" / "keys";
  return fs::temp_directory_path() / "ikeconform-keys";
}

std::string KeyCache::key_pem(std::size_t slot) {
  const fs::path file = dir_ / ("rsa" + std::to_string(bits_) + "-" + std::to_string(slot) + ".pem");
  if (auto pem = read_file(file)) return *pem;  // renamed into place whole: never partial
  FileLock lock(dir_ / ".lock");
  if (auto pem = read_file(file)) return *pem;  // another run made it while we waited
  ossl::Pkey key(ossl::check(EVP_RSA_gen(bits_), "EVP_RSA_gen"));
  std::string pem = ossl::key_to_pem(key.get());
  write_file_atomic(file, pem, 0600);  // private keys: owner only
  ++generated_;
  return pem;
}

namespace {

Sha1 spki_sha1_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) ossl::fail("i2d_PUBKEY");
  const Sha1 d = sha1(der, static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return d;
}

Sha1 ckaid_of(EVP_PKEY* key) {
  BIGNUM* raw = nullptr;
  ossl::check(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &raw), "RSA modulus");
  ossl::Bn n(raw);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(n.get())));
  BN_bn2bin(n.get(), bytes.data());  // unsigned big-endian, no leading zero
  return sha1(bytes.data(), bytes.size());
}

}  // namespace

std::shared_ptr<const DecodedKey> decoded_key(std::string_view key_pem) {
  // A campaign uses a handful of slots: the memo stays small. Bounded anyway (a long-lived
  // process fed many key caches) by starting over past kMax entries.
  constexpr std::size_t kMax = 256;
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const DecodedKey>> memo;
  {
    std::lock_guard lock(mu);
    if (auto it = memo.find(std::string(key_pem)); it != memo.end()) return it->second;
  }
  auto d = std::make_shared<DecodedKey>();  // decoded outside the lock: two threads may both decode
  d->key = std::shared_ptr<EVP_PKEY>(ossl::read_key(key_pem).release(), EVP_PKEY_free);
  d->spki_sha1 = spki_sha1_of(d->key.get());
  d->ckaid = ckaid_of(d->key.get());
  std::lock_guard lock(mu);
  if (memo.size() >= kMax) memo.clear();
  return memo.try_emplace(std::string(key_pem), std::move(d)).first->second;
}

Sha1 spki_sha1(std::string_view key_pem) { return decoded_key(key_pem)->spki_sha1; }

Sha1 ckaid(std::string_view key_pem) { return decoded_key(key_pem)->ckaid; }

}  // namespace ikeconform::pki
