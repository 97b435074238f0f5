// The campaign engine (docs/campaign.md): generated scenarios on a target, every oracle checked,
// failures shrunk (model-guided on real targets) and saved as replayable files, everything
// journaled so a killed run keeps what it did and `--resume` finishes it exactly. `ikeconform
// campaign`, `merge` and `replay` are thin flag parsers over this library; tests call it directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ikeconform::campaign {

// What `ikeconform campaign` takes; the flags' meanings are the CLI's help texts.
struct CampaignSpec {
  std::string target = "model";
  std::vector<std::string> diff_targets;  // multi-target campaigns: the companions (DIFF-STACKS)
  std::optional<std::uint64_t> runs;      // neither runs nor max_total_time: 10000 runs
  std::optional<double> max_total_time;
  std::uint64_t seed = 1;
  std::string shard = "1/1";
  unsigned jobs = 1;
  std::vector<std::string> oracles;
  std::vector<std::string> model_options;  // KEY=VALUE
  std::string scenario_class = "mixed";
  std::string baseline;
  std::string write_baseline;
  bool resume = false;
  std::filesystem::path out;
  std::uint64_t max_counterexamples = 3;
  std::optional<std::uint64_t> shrink_steps;  // default 2000; 40 on a slow (real) target
  // Wall-clock seconds per shrink (0: none); default none, 5 on a slow (real) target.
  std::optional<double> shrink_seconds;
  std::vector<std::string> adapter_args;
  double adapter_timeout = 30;
  bool pcap = false;
  std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
  bool keep_dirs = false;
  std::vector<std::string> peer_bugs;  // --peer-bug: on every emulated (cisco-ios) side
  bool progress = true;                // a progress line on stderr, when it is a terminal
  // ikeconform.known-divergences/1; empty: the file shipped as corpus/known-divergences.json.
  std::filesystem::path known_divergences;
};

struct CampaignResult {
  int exit_code = 0;                  // 0 all good (or the baseline matched), 1 a finding, 2 the target broke
  nlohmann::ordered_json summary;     // summary.json as written
  bool interrupted = false;           // SIGINT / SIGTERM: continue with resume
  std::string error;                  // the first exception a worker met (exit 2)
  std::vector<std::string> warnings;  // e.g. reports not written
};

// Runs the campaign into spec.out. Throws InputError for bad input before anything is written.
CampaignResult run_campaign(const CampaignSpec& spec);

// `ikeconform merge OUT DIR...`: the shards of one campaign into one journal and summary, with
// counterexample files copied and renumbered.
struct MergeResult {
  int exit_code = 0;  // 1 when an oracle failed
  std::size_t shards = 0;
  std::uint64_t scenarios = 0;
  nlohmann::ordered_json summary;
  std::vector<std::string> warnings;
};
MergeResult merge(const std::filesystem::path& out, const std::vector<std::filesystem::path>& dirs);

// `ikeconform replay FILE`: a saved counterexample (or any scenario/1 file) in both directions on
// a target and the oracle(s) re-checked.
struct ReplaySpec {
  std::filesystem::path file;
  std::vector<std::string> oracles;
  std::vector<std::string> model_options;
  std::string target;                     // "" = the recorded one, else the model
  std::vector<std::string> diff_targets;  // DIFF-STACKS companions; default: the recorded ones
  std::vector<std::string> adapter_args;
  double adapter_timeout = 30;
  std::string pcap;
  bool keep_dirs = false;
  std::vector<std::string> peer_bugs;  // --peer-bug: on every emulated (cisco-ios) side
};
struct ReplayResult {
  int exit_code = 0;  // 1 while an oracle still fails
  std::string text;   // what `replay` prints
};
ReplayResult replay(const ReplaySpec& spec);

}  // namespace ikeconform::campaign
