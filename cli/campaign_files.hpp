// The campaign's files (docs/campaign.md): journal.jsonl lines, summary.json, baselines, and the
// tallies behind them. Shared by `campaign` (writes, resumes), `merge` (reads several journals)
// and `replay`. The formats here are a contract with the report writers: add fields, never change.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ikeconform::cli {

inline constexpr const char* kJournalSchema = "ikeconform.journal/1";
inline constexpr const char* kSummarySchema = "ikeconform.summary/1";
inline constexpr const char* kBaselineSchema = "ikeconform.baseline/1";
inline constexpr const char* kCounterexampleSchema = "ikeconform.counterexample/1";

struct Shard {
  std::uint64_t index = 1;  // 1-based
  std::uint64_t count = 1;
  friend bool operator==(const Shard&, const Shard&) = default;
};
// "K/N" with 1 <= K <= N; nullopt on anything else.
std::optional<Shard> parse_shard(const std::string& text);

// What identifies a campaign: two journals may be resumed / merged only when these agree.
struct CampaignConfig {
  std::string target = "model";
  std::uint64_t seed = 1;
  std::optional<Shard> shard = Shard{};  // nullopt: a merged journal
  std::vector<Shard> shards;              // merged journals: the shards they hold
  std::string scenario_class = "mixed";
  std::optional<std::uint64_t> runs;
  std::optional<double> max_total_time;
  std::vector<std::string> oracles;
  std::vector<std::pair<std::string, std::string>> options;  // describe(ModelOptions)
  // What the target says about itself ("strongSwan 5.9.8"); not part of the identity (a resumed
  // campaign may run on an upgraded stack: reports print the version of the first session).
  std::string target_version;
  // Multi-target campaigns (--diff-target): the companion targets, in order; part of the identity.
  std::vector<std::string> diff_targets;
  std::map<std::string, std::string> diff_target_versions;  // like target_version, per companion
};

// One cell of a multi-target campaign's matrix: scenarios of one class on one target. For a
// companion, agree / disagree / skip count DIFF-STACKS's comparison with the main target.
struct StackCell {
  std::uint64_t scenarios = 0;
  std::uint64_t ike_up = 0;  // directions whose IKE SA came up
  std::uint64_t agree = 0, disagree = 0, skip = 0;
  std::vector<std::string> counterexamples;  // DIFF-STACKS counterexamples of this cell
};

struct OracleTally {
  std::uint64_t pass = 0, fail = 0, skip = 0;
  std::vector<std::string> counterexamples;  // scenario files, relative to the campaign folder
};

// Everything a journal says, accumulated line by line.
struct JournalState {
  CampaignConfig config;
  std::unordered_set<std::uint64_t> done;       // scenario indices journaled
  std::map<std::string, OracleTally> tally;     // by oracle id
  std::map<std::string, std::uint64_t> saved;   // counterexamples saved per oracle (numbering)
  std::uint64_t scenarios = 0;
  // Scenarios no oracle could judge (docs/campaign.md): the target cannot express them
  // ("unsupported") or the harness broke on them ("error", e.g. a daemon died).
  std::uint64_t unsupported = 0, errors = 0;
  double elapsed_s = 0;                          // finished sessions
  double session_t = 0;                          // the running / last unfinished session so far
  bool ended = false;                            // the last session wrote its end line
  bool interrupted = false;

  // Multi-target campaigns: class -> target -> cell (the main target's cells too).
  std::map<std::string, std::map<std::string, StackCell>> matrix;

  void add_scenario(std::uint64_t index, const std::vector<std::pair<std::string, std::string>>& results);
  // The scenario line's "stacks" object (multi-target campaigns; nothing for others).
  void add_stacks(const std::string& scenario_class, const nlohmann::json& stacks);
  double total_elapsed() const { return elapsed_s + (ended ? 0 : session_t); }
  bool any_failure() const;
};

// Header line of a new journal; the options keep describe()'s order.
nlohmann::ordered_json header_json(const CampaignConfig& c);

// Reads a journal. Throws InputError("file:line: ...") on a malformed line (an unterminated last
// line is ignored: the writer was killed mid-line). `valid_bytes` gets the length up to the last
// complete line, so a resumed writer can cut the torn tail before appending.
JournalState read_journal(const std::filesystem::path& file, std::uintmax_t* valid_bytes = nullptr);
// For merge: every complete line as parsed JSON (same error rules).
std::vector<nlohmann::json> read_journal_lines(const std::filesystem::path& file);
CampaignConfig config_from_header(const nlohmann::json& header, const std::string& file);

// The first difference between two campaigns' identities ("seed 1 vs 2"), or "" when they agree.
// `compare_shard` false for merge (shards differ by design).
std::string config_difference(const CampaignConfig& a, const CampaignConfig& b, bool compare_shard);

// Per-oracle expected status from a baseline file: "pass" | "fail". Throws InputError.
std::map<std::string, std::string> read_baseline(const std::filesystem::path& file);
nlohmann::ordered_json baseline_json(const JournalState& st);

struct BaselineCheck {
  std::optional<std::string> path;
  std::map<std::string, std::string> expected;
};
// The matrix's name for the pair a target runs ("strongSwan<->Libreswan", "model Cisco<->Cisco").
std::string pair_label(const std::string& target);

// summary.json for a state; `baseline_matches` (if any) is computed here.
nlohmann::ordered_json summary_json(const JournalState& st, const BaselineCheck& baseline, bool* baseline_matches = nullptr);

// Writes `text` to `path` through a temp file in the same folder and a rename: readers never see a
// half-written file.
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

// [A-Za-z0-9_.-] only, never "." or ".." or empty: for file names made from scenario data.
std::string safe_file_part(const std::string& s);

// 1-based line of a byte offset in `text`.
int line_of_offset(const std::string& text, std::size_t offset);

}  // namespace ikeconform::cli
