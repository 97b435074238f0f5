// `ikeconform diff OLD NEW`: per oracle and target, what changed between two runs (docs/reports.md
// "diff"). A regression is a result that is `failed` now and was not before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/run.hpp"

namespace ikeconform::reports {

enum class Change : std::uint8_t { Regression, Fixed, StatusChanged, New, Gone, Counts };

struct DiffEntry {
  Change change = Change::Counts;
  std::string oracle, target;
  std::optional<OracleRow> before, after;
};

struct RunDiff {
  std::vector<DiffEntry> entries;  // regressions first, then fixed, changed, new, gone, counts
  std::vector<std::string> notes;  // run facts that differ (seed, options, ...)
  std::size_t compared = 0;        // results present in both runs
  bool regression() const;
};

RunDiff diff_summaries(const Summary& before, const Summary& after);
std::string diff_text(const RunDiff& d);

}  // namespace ikeconform::reports
