// A peer's NSS database for pluto: its trusted CAs and its identity certificates with their
// keys, all from one PKCS#12 bundle (`pk12util -W ""`). Every certutil / pk12util call has a
// timeout. The CAs need no trust flags: pluto takes every self-signed CA certificate of the
// database as a trust anchor (upstream root_certs.c: CERT_IsCACert() && isRoot; the faithful
// replays pass with the CAs imported untrusted).
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

#include "drivers/pki/p12.hpp"

namespace ikeconform::pki {
struct Pki;
}

namespace ikeconform::libreswan {

struct NssContent {
  std::vector<pki::P12Cert> cas;             // the peer's trusted CAs (nickname = Ca::id), trustpoint order, once each
  std::vector<pki::P12Identity> identities;  // its certificates and keys, enrollment order, nickname = friendly name
  std::string fingerprint;                   // SHA-256 over the PEM texts (PKCS#12 files have random salts)
};

// What `peer` of `s` needs in its database, from the PKI the scenario was made with.
NssContent nss_content(const Scenario& s, std::size_t peer, const pki::Pki& pki);

// Writes a fresh database for `c` into `dir` (created; must not hold one already): `certutil
// -N`, then fill_nss_db().
void build_nss_db(const std::filesystem::path& dir, const NssContent& c,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
// Puts `c` into the empty database in `dir`: one `pk12util` of one PKCS#12 bundle, whatever the
// content.
void fill_nss_db(const std::filesystem::path& dir, const NssContent& c,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Templates under `cache_dir`/<fingerprint prefix>: builds one on first use (from a copy of
// `cache_dir`/empty, the one `certutil -N` of the folder), then copies its files into `dir`
// (replacing what is there). Returns true when it had to build.
bool install_nss_db(const std::filesystem::path& cache_dir, const std::filesystem::path& dir, const NssContent& c);

}  // namespace ikeconform::libreswan
