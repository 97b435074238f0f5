#include "campaign/run_folder.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ikeconform::campaign {
namespace fs = std::filesystem;

reports::Journal journal_facts(const JournalState& st) {
  reports::Journal j;
  j.present = true;
  j.lines = st.lines;
  j.scenario_lines = st.scenarios;
  j.resumes = st.resumes;
  j.ended = st.ended;
  j.interrupted = st.interrupted;
  j.torn_last_line = st.torn_last_line;
  for (const CounterexampleRecord& c : st.counterexamples)
    j.counterexamples.push_back({c.oracle, c.scenario, c.observations, c.message, c.ios});
  return j;
}

reports::Summary summary_from_journal(const JournalState& st) {
  const CampaignConfig& c = st.config;
  reports::Summary s;
  s.rebuilt_from_journal = true;
  s.complete = false;
  s.version = "0.1.0";
  s.target = c.target;
  s.seed = std::to_string(c.seed);
  if (c.shard) s.shard = fmt::format("{}/{}", c.shard->index, c.shard->count);
  s.scenario_class = c.scenario_class;
  s.runs = c.runs;
  s.options = c.options;
  s.scenarios = st.scenarios;
  s.unsupported = st.unsupported;
  s.infrastructure_errors = st.infrastructure_errors;
  s.infrastructure_error_files = st.infrastructure_error_files;
  s.expected_deviations = st.expected_deviations;
  s.known_divergences_file = st.known_divergences_file;
  for (const KnownDivergenceTally& k : st.known)
    s.known_divergences.push_back({k.entry.id, k.entry.target, k.entry.oracle, k.entry.what, k.entry.why,
                                   k.entry.evidence, k.matched, k.scenarios});
  s.elapsed_s = st.total_elapsed();
  s.scenarios_per_s = s.elapsed_s > 0 ? static_cast<double>(st.scenarios) / s.elapsed_s : 0;
  std::vector<std::string> ids = c.oracles;
  for (const auto& [id, t] : st.tally)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  for (const std::string& id : ids) {
    reports::OracleRow r;
    r.id = id;
    r.target = s.target;
    if (auto it = st.tally.find(id); it != st.tally.end()) {
      r.checked = it->second.pass + it->second.fail + it->second.expected;
      r.expected_deviations = it->second.expected;
      r.failed = it->second.fail;
      r.skipped = it->second.skip;
      r.counterexamples = it->second.counterexamples;
    }
    r.status = r.failed                ? reports::Status::Failed
               : r.expected_deviations ? reports::Status::ExpectedDeviation
               : r.checked             ? reports::Status::Passed
                                       : reports::Status::NotChecked;
    s.oracles.push_back(std::move(r));
  }
  return s;
}

reports::Run load_run(const fs::path& dir) {
  std::error_code ec;
  const fs::path file = dir / "journal.jsonl";
  if (!fs::is_directory(dir, ec) || !fs::exists(file, ec)) return reports::load_run(dir);
  const JournalState st = read_journal(file);
  return reports::load_run(dir, journal_facts(st), summary_from_journal(st));
}

reports::WrittenReports write_reports(const fs::path& dir, const reports::ReportOptions& options) {
  return reports::write_reports(load_run(dir), options);
}

reports::Summary load_summary(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec) && !fs::exists(path / "summary.json", ec) && fs::exists(path / "journal.jsonl", ec))
    return summary_from_journal(read_journal(path / "journal.jsonl"));
  return reports::load_summary(path);
}

}  // namespace ikeconform::campaign
