// The strongSwan target: runs one scenario in one direction on two real charons, one per
// network namespace, reused between scenarios, driven through VICI.
//
//   CharonPair   two namespaces (drivers/netns), two charon-systemd (drivers/process Daemon),
//                one VICI client each; knows nothing about scenarios.
//   Target       per scenario: clear, load the rendered credentials and connections under
//                fresh names, initiate with a timeout (streaming control-log), list-sas on
//                both sides, read the responder's filelog, terminate and unload, and map it
//                all to an Observation (observe.hpp).
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "drivers/strongswan/observe.hpp"
#include "drivers/strongswan/render.hpp"
#include "drivers/vici/vici.hpp"
#include "model/observation.hpp"

namespace ikeconform::netns {
class NetnsPair;
}
namespace ikeconform::pki {
class KeyCache;
}
namespace ikeconform::process {
class Daemon;
class TempDir;
}  // namespace ikeconform::process

namespace ikeconform::strongswan {

using Millis = std::chrono::milliseconds;

// One running charon as the target sees it.
struct Charon {
  std::filesystem::path dir;  // strongswan.conf, charon.vici, charon.log, charon.out
  std::optional<vici::Client> vici;
  std::unique_ptr<process::Daemon> daemon;  // null when someone else runs it
  std::string loaded_credentials;           // what the target loaded last (skip identical reloads)
  bool alive() const;
};

struct PairOptions {
  std::filesystem::path base = std::filesystem::temp_directory_path();  // run folders go here
  Millis start_timeout{5000};
  Millis vici_timeout{3000};
  bool keep_dirs = false;  // leave the run folders (configs, logs) on disk
};

// Two charons in two namespaces joined by a veth pair, with the given outside addresses.
class CharonPair {
 public:
  CharonPair(const std::string& address_a, const std::string& address_b, PairOptions o = {});
  ~CharonPair();
  CharonPair(const CharonPair&) = delete;
  CharonPair& operator=(const CharonPair&) = delete;

  Charon& side(std::size_t i) { return charons_.at(i); }
  const std::string& address(std::size_t i) const;
  // Adds `cidr` to the loopback of side i once (kernel-libipsec routes need a local address
  // inside the local traffic selector).
  void ensure_address(std::size_t i, const std::string& cidr);
  bool healthy();
  Millis start_time() const { return start_time_; }
  netns::NetnsPair& net() { return *net_; }  // e.g. to take a link down in a test

 private:
  void start(std::size_t i);
  PairOptions opts_;
  std::unique_ptr<process::TempDir> dir_;
  std::unique_ptr<netns::NetnsPair> net_;
  std::array<Charon, 2> charons_;
  std::array<std::vector<std::string>, 2> addresses_added_;
  Millis start_time_{0};
};

// Loads a rendered peer into one charon over `v`: its credentials (clear-creds, then every load;
// skipped while `loaded_credentials` already holds the same ones, and updated) and its
// connections. The strongSwan target and the strongSwan side of mixed pairs both load this way.
void load_peer(vici::Client& v, std::string& loaded_credentials, const PeerConfig& pc);

struct TargetOptions {
  PairOptions pair;
  std::filesystem::path key_cache;  // for run(s, initiator); empty: pki::KeyCache::default_dir()
  Millis initiate_timeout{4000};  // charon's `initiate` timeout
  Millis terminate_timeout{1000};
};

// Not thread-safe: one Target drives one pair; shard campaigns across processes.
class Target {
 public:
  explicit Target(TargetOptions o = {});
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  // Runs `s` with peer `initiator` initiating its tunnel profile. `m` is the scenario's PKI
  // (material_from(make_pki(...))). Never throws for a failing handshake: the Observation says
  // what happened; harness failures come back as Reason::InternalError with the cause in trace.
  Observation run(const Scenario& s, const Material& m, std::uint8_t initiator);
  // The same, making the scenario's PKI first (keys from the key cache; certificates in a
  // folder of this run), or reusing the last one when the CAs and certificates are the same.
  Observation run(const Scenario& s, std::uint8_t initiator);

  // The pair, made (or remade) for the scenario's addresses on first use.
  CharonPair& pair_for(const Scenario& s);
  // "strongSwan 5.9.8" from VICI `version` of a running charon (starting a pair for the
  // default addresses when none runs yet); cached.
  std::string daemon_version();
  // While set, the IKE traffic of every run goes into `file` (tcpdump in side 0's namespace,
  // started with the pair, stopped by stop_capture() or when the pair goes).
  void start_capture(const std::filesystem::path& file);
  void stop_capture();
  std::uint64_t scenarios_run() const { return seq_; }
  // What the last run() saw, before it became an Observation (log lines, timings).
  const RunEvidence& last_evidence() const { return last_; }

 private:
  // Fills `e` as it goes, so that a harness failure half way still keeps what was seen.
  void execute(const Scenario& s, const Material& m, std::uint8_t initiator, const RenderOptions& ro, RunEvidence& e);
  void ensure_capture(CharonPair& pair);
  TargetOptions opts_;
  std::unique_ptr<CharonPair> pair_;
  std::optional<std::filesystem::path> capture_file_;
  std::unique_ptr<process::Daemon> capture_;  // tcpdump; belongs to pair_ (stopped before it goes)
  const CharonPair* captured_pair_ = nullptr;
  std::string version_;
  std::unique_ptr<pki::KeyCache> keys_;
  std::unique_ptr<process::TempDir> pki_dir_;
  Scenario pki_scenario_;  // the PKI-relevant part of the scenario pki_dir_ holds
  Material material_;
  std::uint64_t seq_ = 0;
  RunEvidence last_;
};

}  // namespace ikeconform::strongswan
