// journal.jsonl (docs/campaign.md "The journal"): one JSON object per line, appended as the campaign
// goes, so a killed campaign keeps what it finished. This file holds the journal's lines, its writer
// and its ONE reader: `campaign --resume`, `merge`, `report` and `diff` all read a journal here, and
// the report writers get what it read (reports/ never parses a journal).
//
// ikeconform.journal/2 is compact: a scenario whose every verdict is pass or skip is not a line of
// its own but part of a "passed" checkpoint line (ranges of indices and per-oracle counts); failures,
// unsupported scenarios, harness errors and every run on a real (slow) target keep a full "scenario"
// line. ikeconform.journal/1 (a full line per scenario) is read, never resumed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "campaign/files.hpp"
#include "reports/known_divergences.hpp"

namespace ikeconform::campaign {

// Scenario indices as arithmetic runs (first, first+step, ..., last): a shard's indices are one
// residue class, so a whole campaign's worth of passing scenarios is a handful of runs.
class IndexSet {
 public:
  void add(std::uint64_t index, std::uint64_t step = 1) { add_range(index, index, step); }
  // [first, last] every `step`; `last` must be first + k * step.
  void add_range(std::uint64_t first, std::uint64_t last, std::uint64_t step);
  bool contains(std::uint64_t index) const;
  bool empty() const { return classes_.empty(); }

 private:
  struct Key {
    std::uint64_t step, residue;
    auto operator<=>(const Key&) const = default;
  };
  // Per residue class: ordinal ranges (index / step) first -> last, disjoint and not touching.
  std::map<Key, std::map<std::uint64_t, std::uint64_t>> classes_;
};

struct OracleTally {
  std::uint64_t pass = 0, fail = 0, skip = 0;
  std::uint64_t expected = 0;                // failures a known divergence explains: expected deviations
  std::vector<std::string> counterexamples;  // scenario files, relative to the campaign folder
};

// A "counterexample" line: the files of one saved, shrunk failure.
struct CounterexampleRecord {
  std::string oracle, scenario, observations, message;
  std::vector<std::string> ios;
};

// A known-divergence entry as the journal recorded it, and the failures it explained.
struct KnownDivergenceTally {
  reports::KnownDivergence entry;
  std::uint64_t matched = 0;
  std::vector<std::uint64_t> scenarios;  // the first few indices
};

// Everything a journal says, accumulated line by line.
struct JournalState {
  CampaignConfig config;
  int version = 2;                                    // the schema's number: 1 or 2
  IndexSet done;                                      // scenario indices journaled
  std::map<std::string, OracleTally> tally;           // by oracle id
  std::map<std::string, std::uint64_t> saved;         // counterexamples saved per oracle (numbering)
  std::vector<CounterexampleRecord> counterexamples;  // in journal order
  std::uint64_t scenarios = 0;
  // Scenarios no oracle could judge (docs/campaign.md): the target cannot express them
  // ("unsupported") or the infrastructure failed on them, twice ("infrastructure_error": a daemon
  // died or refused our configuration, our own timeout; journal/2 before it said "error").
  std::uint64_t unsupported = 0, infrastructure_errors = 0;
  std::vector<std::string> infrastructure_error_files;  // errors/scenario-N.json, relative to the folder
  // The known-divergence file the campaign used ("known_divergences" line) and what it explained.
  std::string known_divergences_file;
  std::vector<KnownDivergenceTally> known;  // in file order
  std::uint64_t expected_deviations = 0;
  void add_known(const reports::KnownDivergence& e);  // once per id
  // One failure of scenario `index` that the entries `ids` explained.
  void add_deviation(const std::vector<std::string>& ids, std::uint64_t index);
  double elapsed_s = 0;  // finished sessions
  double session_t = 0;  // the running / last unfinished session so far
  bool ended = false;    // the last session wrote its end line
  bool interrupted = false;
  // What the file itself looked like (the report's "Journal" fact).
  std::size_t lines = 0, resumes = 0;
  bool torn_last_line = false;  // an unterminated last line (a kill mid-write), ignored

  // Multi-target campaigns: class -> target -> cell (the main target's cells too).
  std::map<std::string, std::map<std::string, StackCell>> matrix;

  void add_scenario(std::uint64_t index, const std::vector<std::pair<std::string, std::string>>& results);
  // A "passed" checkpoint: runs of indices every `step`, per oracle of the header how many passed / skipped.
  void add_passed(std::uint64_t step, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges,
                  const std::vector<std::uint64_t>& pass, const std::vector<std::uint64_t>& skip);
  // The scenario line's "stacks" object (multi-target campaigns; nothing for others).
  void add_stacks(const std::string& scenario_class, const nlohmann::json& stacks);
  void add_infrastructure_error(const std::string& file) {
    ++infrastructure_errors;
    if (!file.empty()) infrastructure_error_files.push_back(file);
  }
  double total_elapsed() const { return elapsed_s + (ended ? 0 : session_t); }
  bool any_failure() const;
};

// Reads a journal. Throws InputError("file:line: ...") on a malformed line (an unterminated last
// line is ignored: the writer was killed mid-line). `valid_bytes` gets the length up to the last
// complete line, so a resumed writer can cut the torn tail before appending; `raw` (for merge)
// gets every complete line as parsed.
JournalState read_journal(const std::filesystem::path& file, std::uintmax_t* valid_bytes = nullptr,
                          std::vector<nlohmann::json>* raw = nullptr);

// Passing scenarios of one worker since its last checkpoint: index ranges and per-oracle counts.
// Workers fill their own batch without a lock; the campaign writes it as one "passed" line.
class PassedBatch {
 public:
  PassedBatch(std::size_t oracles, std::uint64_t step) : pass_(oracles), skip_(oracles), step_(step) {}
  // One more passing scenario; then verdict(k, ...) for each oracle k.
  void add(std::uint64_t index) {
    if (!ranges_.empty() && ranges_.back().second + step_ == index) ranges_.back().second = index;
    else ranges_.emplace_back(index, index);
    ++scenarios_;
  }
  void verdict(std::size_t k, bool skipped) { ++(skipped ? skip_ : pass_)[k]; }
  std::uint64_t size() const { return scenarios_; }
  void apply_to(JournalState& st) const { st.add_passed(step_, ranges_, pass_, skip_); }
  // {"type":"passed",...} with a newline; `t` is the session's seconds so far.
  std::string line(double t) const;
  void clear();

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
  std::vector<std::uint64_t> pass_, skip_;
  std::uint64_t step_, scenarios_ = 0;
};

// {"type":"known_divergences","file":...,"entries":[...]} with a newline: the file's entries,
// written after the header (and after each resume) so that reports can show them.
std::string known_divergences_line(const reports::KnownDivergences& k);

// The end of a session: {"type":"end",...} with a newline.
std::string end_line(std::uint64_t scenarios, std::uint64_t session_scenarios, double elapsed_s, bool interrupted);

// journal.jsonl opened for appending; every line is flushed as written (a killed campaign keeps
// every finished scenario). Not thread-safe: the campaign serializes its writers.
class JournalWriter {
 public:
  explicit JournalWriter(const std::filesystem::path& file);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  void append(std::string_view line);
  void close();

 private:
  std::FILE* f_ = nullptr;
};

}  // namespace ikeconform::campaign
