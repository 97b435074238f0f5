// Counterexample files (docs/campaign.md "Counterexample files"): the shrunk scenario, its
// `.observations.json` sibling (both directions, the oracle's message, related runs) and one IOS
// configuration per router (ios::export_ios_config). Written by `campaign`, read back by `replay` and `merge`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/options.hpp"
#include "model/scenario.hpp"
#include "oracles/oracle.hpp"

namespace ikeconform::campaign {

struct CounterexampleInfo {
  const Oracle* oracle = nullptr;
  std::string target;
  ModelOptions options;
  std::uint64_t seed = 0;
  std::uint64_t index = 0;
  std::uint64_t n = 0;  // per-oracle number: the file is <oracle>-<n>.json
  std::size_t shrink_steps = 0;
};

struct SavedCounterexample {
  std::string scenario;  // paths relative to the campaign folder
  std::string observations;
  std::vector<std::string> ios;
  std::vector<std::string> configs;  // the target's own renderings (e.g. R1.swanctl.conf)
  std::string pcap;                  // the capture of the failing run, "" when none
  std::string message;               // the oracle's message on the saved scenario
};

// What a real target observed on the saved scenario (real runs are not replayed for free).
struct Evidence {
  Observation obs[2];
  Evaluation evaluation;
  std::string pcap;  // a capture of these runs already under dir/counterexamples/, or ""
  std::string note;  // e.g. the captured re-run did not fail again
};

// Writes the files under dir/counterexamples/. Every file name is made here from the oracle id, n
// and sanitized router names. The model target: re-runs `s` on the model with the trace on and
// re-checks the oracle. A real target: records `evidence` (its observations carry the stack's own
// log lines), the model's prediction for the same scenario ("model_directions") and the target's
// renderings (`target.render()`) beside the IOS ones.
SavedCounterexample write_counterexample(const std::filesystem::path& dir, Scenario s, const CounterexampleInfo& info,
                                         Target* target = nullptr, const Evidence* evidence = nullptr);

// "counterexamples/<oracle>-<n>": the stem every file of one counterexample starts with.
std::string counterexample_stem(const Oracle& oracle, std::uint64_t n);

// "x/P-1-1.json" -> "x/P-1-1.observations.json".
std::filesystem::path observations_path_for(const std::filesystem::path& scenario_file);

// What a sibling observations file recorded: the oracle and the model options (as KEY=VALUE).
struct Recorded {
  std::string oracle;
  std::vector<std::string> options;
  std::string target;                     // the target the campaign ran on ("" in files from before targets)
  std::vector<std::string> diff_targets;  // DIFF-STACKS: the companions whose runs it recorded
};
// nullopt when there is no sibling; throws InputError when it is malformed.
std::optional<Recorded> read_recorded(const std::filesystem::path& scenario_file);

}  // namespace ikeconform::campaign
