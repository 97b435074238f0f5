// The campaign's identity and the files made from it (docs/campaign.md): the journal header,
// summary.json, baselines. The journal's lines and its one reader are campaign/journal.hpp. The
// formats here are a contract with the report writers: add fields, never change.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ikeconform::campaign {

// The journal this version writes (compact: passing scenarios as index ranges), and the one before
// it (a full line per scenario), which is still read but never resumed.
inline constexpr const char* kJournalSchema = "ikeconform.journal/2";
inline constexpr const char* kJournalSchemaV1 = "ikeconform.journal/1";
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
  std::vector<Shard> shards;             // merged journals: the shards they hold
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

// Header line of a new journal; the options keep describe()'s order.
nlohmann::ordered_json header_json(const CampaignConfig& c);
// The header read back (either schema); InputError(file:1) when it is not a journal header.
CampaignConfig config_from_header(const nlohmann::json& header, const std::string& file, int* version = nullptr);

// The first difference between two campaigns' identities ("seed 1 vs 2"), or "" when they agree.
// `compare_shard` false for merge (shards differ by design).
std::string config_difference(const CampaignConfig& a, const CampaignConfig& b, bool compare_shard);

// Per-oracle expected status from a baseline file: "pass" | "fail". Throws InputError.
std::map<std::string, std::string> read_baseline(const std::filesystem::path& file);
struct JournalState;
nlohmann::ordered_json baseline_json(const JournalState& st);

struct BaselineCheck {
  std::optional<std::string> path;
  std::map<std::string, std::string> expected;
};
// The matrix's name for the pair a target runs ("strongSwan<->Libreswan", "model Cisco<->Cisco").
std::string pair_label(const std::string& target);

// summary.json for a state; `baseline_matches` (if any) is computed here.
nlohmann::ordered_json summary_json(const JournalState& st, const BaselineCheck& baseline,
                                    bool* baseline_matches = nullptr);

// [A-Za-z0-9_.-] only, never "." or ".." or empty: for file names made from scenario data.
std::string safe_file_part(const std::string& s);

// 1-based line of a byte offset in `text`.
int line_of_offset(const std::string& text, std::size_t offset);

}  // namespace ikeconform::campaign
