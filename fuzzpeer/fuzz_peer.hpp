// `ikeconform fuzz-peer`: stateful fuzzing of a real IKE daemon with our own engine. Per IKE
// version the daemon serves peer 1 of a fixed certificate scenario in its namespace; `jobs`
// threads each run exchanges (exchange.hpp) at points chosen at random, with recipes decoded from
// inputs that a libFuzzer-style mutator evolves from a corpus per exchange point. An input that
// makes the daemon answer in a way not seen before (a new response shape or state) joins the
// corpus: the daemon gives no coverage, its answers are the feedback.
//
// Oracles (each finding minimized, then saved with a reproducer under OUT/findings/ID/):
//   daemon-died    the daemon process is gone after an exchange
//   unresponsive   the daemon runs but a fresh valid handshake (the liveness probe, after
//                  unanswered exchanges at most once a second and every `probe_every`
//                  executions) fails twice
//   auth-bypass    an exchange whose recipe removed or altered what authenticates us (IDi / AUTH,
//                  IDii / SIG) was answered as established, twice in a row
//   growth         the daemon's resident memory more than doubled, by over 64 MiB, over a phase
//
// Exit: 0 nothing found, 1 a finding, 3 a harness failure (no namespaces, no daemon, an
// exchange that cannot be run).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace ikeconform::fuzzpeer {

inline constexpr int kExitHarness = 3;

struct FuzzOptions {
  std::string target;  // strongswan, libreswan, planted
  double max_total_time = 60;
  unsigned jobs = 1;
  std::uint64_t seed = 1;
  std::vector<IkeVersion> versions{IkeVersion::V2, IkeVersion::V1};  // the time is split evenly, in this order
  std::filesystem::path out;
  std::filesystem::path corpus;  // empty: OUT/corpus/TARGET; one folder per exchange point inside
  std::filesystem::path self;    // this executable (the planted target runs it)
  std::filesystem::path key_cache, temp_dir;
  std::chrono::milliseconds answer{250};  // how long an answer to a mutated message is awaited
  std::size_t probe_every = 200;
  bool no_mutation = false;                       // the same exchanges with valid messages: the bench's ceiling
  std::function<bool()> stop;                     // Ctrl-C
  std::function<void(const std::string&)> print;  // progress lines
};

int fuzz_peer(const FuzzOptions& o);

// The fuzz scenario of IKE version `v` with the daemon's peer following `personality`.
Scenario fuzz_scenario(IkeVersion v, const std::string& personality);
// The targets fuzz-peer knows and their personalities.
std::vector<std::string> fuzz_targets();

// `ikeconform replay OUT/findings/ID/finding.json`: sets the daemon up as the finding says and
// runs its minimized input up to three times. 1: reproduced, 0: not, 3: harness failure; 2 for a
// file that is no finding (InputError).
struct ReplayOptions {
  std::filesystem::path finding;
  std::filesystem::path self, key_cache, temp_dir;
  std::function<void(const std::string&)> print;
};
int replay_finding(const ReplayOptions& o);
bool is_finding_file(const std::filesystem::path& file);

}  // namespace ikeconform::fuzzpeer
