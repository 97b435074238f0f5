// The implementation under test, serving the fuzz scenario's peer 1 in side 1 of a namespace
// pair: a real daemon through its per-peer stack (drivers/strongswan, drivers/libreswan, with
// StackOptions::fuzzed), or the planted target, our own responder with a documented defect run
// as a process of its own (`ikeconform fuzz-peer-planted`), so that its crash is a process death
// like a daemon's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "drivers/netns/netns.hpp"
#include "drivers/pki/pki.hpp"
#include "drivers/process/process.hpp"
#include "drivers/stack/stack.hpp"

namespace ikeconform::fuzzpeer {

// IKE_AUTH CERTREQ hashes at which the planted responder aborts (docs/fuzzing.md).
inline constexpr std::size_t kPlantedCertreqHashes = 40;

class DaemonUnderTest {
 public:
  // `target`: strongswan, libreswan or planted. `self`: this executable (planted only).
  DaemonUnderTest(std::string target, const netns::NetnsPair& net, std::filesystem::path dir,
                  std::filesystem::path self, std::filesystem::path key_cache);
  ~DaemonUnderTest();
  // Loads peer 1 of `s` (starting the daemon when needed). Throws on a harness failure.
  void prepare(const Scenario& s, const pki::Pki& pki);
  bool alive();
  // A fresh daemon with the last prepare()'s configuration (after a death or a hang).
  void restart();
  // "exited with status 134 (SIGABRT)" and the log tail.
  std::string describe();
  std::optional<std::uint64_t> rss_kib();      // VmRSS of the daemon process
  std::optional<std::size_t> half_open_sas();  // as its control interface reports them
  std::string version() const;

 private:
  std::string target_;
  const netns::NetnsPair& net_;
  std::filesystem::path dir_, self_, key_cache_;
  std::unique_ptr<stack::PeerStack> stack_;   // strongswan, libreswan
  std::unique_ptr<process::Daemon> planted_;  // planted
  std::optional<Scenario> scenario_;
  const pki::Pki* pki_ = nullptr;
  int generation_ = 0;
};

// `ikeconform fuzz-peer-planted SCENARIO --key-cache DIR --dir DIR`: our IKEv1 / IKEv2 responder
// for peer 1 of SCENARIO on its address in the current namespace, with the planted defect, until
// SIGTERM. Core dumps off. Returns the exit status.
int planted_responder_main(const std::filesystem::path& scenario, const std::filesystem::path& key_cache,
                           const std::filesystem::path& dir);

}  // namespace ikeconform::fuzzpeer
