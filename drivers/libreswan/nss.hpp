// A peer's NSS database for pluto: its trusted CAs (`certutil -A -t "CT,,"`) and its identity
// certificates with their keys (`pk12util -W ""`). Every certutil / pk12util call has a timeout.
//
// Why databases are built from templates and swapped while pluto is stopped: pluto caches the
// root certificates for 5 minutes and NSS caches objects, so a CA removed under a running pluto
// stays trusted (verified here: even `whack --rereadall` and `--impair trigger:FREE_ROOT_CERTS`
// leave it trusted). A database is therefore a function of its content; the target restarts
// pluto when the content changes, and keeps one template per content so that a campaign
// builds each distinct database once and then only copies three files.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::libreswan {

struct NssContent {
  struct CaCert {
    std::string nickname;  // Ca::id
    std::filesystem::path file;
  };
  std::vector<CaCert> cas;                 // the peer's trusted CAs, trustpoint order, no duplicates
  std::vector<std::filesystem::path> p12;  // its identity certificates, enrollment order
  std::string fingerprint;                 // SHA-256 over the PEM texts (PKCS#12 files have random salts)
};

// What `peer` of `s` needs in its database, from the PKI the scenario was made with.
NssContent nss_content(const Scenario& s, std::size_t peer, const pki::Pki& pki);

// Writes a fresh database for `c` into `dir` (created; must not hold one already).
void build_nss_db(const std::filesystem::path& dir, const NssContent& c,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Templates under `cache_dir`/<fingerprint prefix>: builds one on first use, then copies its
// files into `dir` (replacing what is there). Returns true when it had to build.
bool install_nss_db(const std::filesystem::path& cache_dir, const std::filesystem::path& dir, const NssContent& c);

}  // namespace ikeconform::libreswan
