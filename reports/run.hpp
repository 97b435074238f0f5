// A campaign run folder read back (docs/campaign.md): summary.json and the counterexample files,
// resolved into model types so the writers can draw ladders. The journal is read by its one reader
// in campaign/ (campaign/journal.hpp), which hands over what it found as a `Journal` (and, for a
// killed campaign without summary.json, the summary rebuilt from it): reports never parse a journal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/observation.hpp"
#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform::reports {

// TLS-Anvil's categories, named as summary.json spells them.
enum class Status : std::uint8_t { Passed, Failed, ExpectedDeviation, NotChecked };
std::string_view status_text(Status s);  // "passed" | "failed" | "expected_deviation" | "not_checked"
bool parse_status(std::string_view s, Status& out);

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// One entry of summary.json "oracles": one oracle on one target.
struct OracleRow {
  std::string id, statement, target;
  std::vector<std::string> rules;
  Status status = Status::NotChecked;
  std::uint64_t checked = 0, failed = 0, skipped = 0;
  bool expected_deviation = false;
  std::uint64_t expected_deviations = 0;     // failures a known divergence explains (not in `failed`)
  std::vector<std::string> counterexamples;  // relative to the run folder
};

// Multi-target campaigns (summary.json "targets" / "matrix", docs/campaign.md "Several targets").
struct TargetInfo {
  std::string name, role, version;  // role: "main" | "companion"
};
struct PairCell {
  std::string scenario_class, target, pair;  // pair: "strongSwan<->Libreswan"
  std::uint64_t scenarios = 0, ike_up = 0, agree = 0, disagree = 0, skipped = 0;
  std::vector<std::string> counterexamples;  // DIFF-STACKS counterexamples, relative to the run folder
};

// A known-divergence entry (corpus/known-divergences.json) that matched failures of this run:
// shown as an expected deviation with its why, never as a failure (docs/known-divergences.md).
struct KnownDivergenceRow {
  std::string id, target, oracle, what, why;
  std::vector<std::string> evidence;
  std::uint64_t matched = 0;             // scenario x oracle failures it explained
  std::vector<std::uint64_t> scenarios;  // their indices (the first few)
};

struct Summary {
  std::string version, target, target_version, seed, shard, scenario_class, baseline;
  std::vector<std::string> shards;  // "1/4", ... (merged summaries)
  KeyValues options;
  std::optional<std::uint64_t> runs;
  std::uint64_t scenarios = 0;
  // Scenarios no oracle judged: the target cannot express them, or the infrastructure failed on
  // them twice (errors/scenario-N.json hold the evidence).
  std::uint64_t unsupported = 0, infrastructure_errors = 0;
  std::vector<std::string> infrastructure_error_files;  // relative to the run folder
  // Oracle failures a known-divergence entry explains (never counted as failures).
  std::uint64_t expected_deviations = 0;
  std::string known_divergences_file;
  std::vector<KnownDivergenceRow> known_divergences;
  bool complete = true;
  double elapsed_s = 0, scenarios_per_s = 0;
  std::optional<bool> baseline_matches;
  std::vector<OracleRow> oracles;
  std::vector<TargetInfo> targets;    // empty unless multi-target
  std::vector<PairCell> pairs;        // summary "matrix"
  bool rebuilt_from_journal = false;  // summary.json was missing (a killed campaign)
};

// What journal.jsonl adds to the summary, as campaign/journal.hpp read it.
struct JournalCounterexample {
  std::string oracle, scenario, observations, message;
  std::vector<std::string> ios;
};
struct Journal {
  bool present = false;
  std::size_t lines = 0, scenario_lines = 0, resumes = 0;  // scenario_lines: scenarios journaled
  bool ended = false, interrupted = false, torn_last_line = false;
  std::vector<JournalCounterexample> counterexamples;
};

// One observed run of a scenario: both directions.
struct ScenarioRun {
  std::string relation;  // "" for the counterexample itself, else the metamorphic relation
  Scenario scenario;
  std::vector<Observation> directions;  // [d]: peer d initiates
};

struct Counterexample {
  std::string path;  // "counterexamples/P-1-1.json", relative to the run folder
  std::string oracle, statement, message, target;
  std::vector<std::string> rules;
  std::string seed, index;
  ModelOptions options;
  ScenarioRun run;
  std::vector<ScenarioRun> related;
  int failing_related = -1;  // -1: the counterexample's own run, else index into related
  std::size_t failing_direction = 0;
  Message failing_at = Message::None;                    // where the claim broke, when not where the direction failed
  std::vector<std::pair<std::string, std::string>> ios;  // (router, IOS configuration text)
  bool observations_present = false;

  const ScenarioRun& failing_run() const;
  const Observation& failing_observation() const;
};

struct Run {
  std::filesystem::path dir;
  Summary summary;
  Journal journal;
  std::vector<Counterexample> counterexamples;  // in summary order, each listed once
};

// Throws InputError ("file:line: what") for anything malformed; never returns half a run.
// `journal`: what the folder's journal.jsonl said (absent: `present` false); `from_journal`: the
// summary rebuilt from it, used when summary.json is missing (a killed campaign).
Run load_run(const std::filesystem::path& dir, const Journal& journal = {},
             const std::optional<Summary>& from_journal = {});
// Only summary.json (what `diff` needs); `path` may be the folder or the summary file itself.
Summary load_summary(const std::filesystem::path& path);

// A path read from a run folder's files stays inside the folder: relative, no "..".
bool stays_inside(const std::string& rel);

// Router names as the campaign reduces them in file names (docs/campaign.md).
std::string file_safe(std::string_view name);

}  // namespace ikeconform::reports
