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

namespace ikeconform::cli {

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
  std::string scenario;      // paths relative to the campaign folder
  std::string observations;
  std::vector<std::string> ios;
  std::string message;       // the oracle's message on the saved scenario
};

// Re-runs `s` on the model with the trace on, re-checks the oracle and writes the files under
// dir/counterexamples/. Every file name is made here from the oracle id, n and sanitized router names.
SavedCounterexample write_counterexample(const std::filesystem::path& dir, Scenario s, const CounterexampleInfo& info);

// "x/P-1-1.json" -> "x/P-1-1.observations.json".
std::filesystem::path observations_path_for(const std::filesystem::path& scenario_file);

// What a sibling observations file recorded: the oracle and the model options (as KEY=VALUE).
struct Recorded {
  std::string oracle;
  std::vector<std::string> options;
};
// nullopt when there is no sibling; throws InputError when it is malformed.
std::optional<Recorded> read_recorded(const std::filesystem::path& scenario_file);

}  // namespace ikeconform::cli
