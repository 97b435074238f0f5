// The report writers' public face (docs/reports.md): re-render a campaign run folder as a
// self-contained HTML page and JUnit XML, and compare two runs.
#pragma once

#include <filesystem>
#include <optional>

#include "reports/diff.hpp"
#include "reports/fuzz_report.hpp"
#include "reports/run.hpp"

namespace ikeconform::reports {

struct ReportOptions {
  std::optional<std::filesystem::path> html;         // default DIR/report.html
  std::optional<std::filesystem::path> junit;        // default DIR/junit.xml
  std::optional<std::filesystem::path> fuzz_report;  // fuzz-report.json to add as the "Fuzzing" section
};

struct WrittenReports {
  std::filesystem::path html, junit;
  bool failed = false;  // some oracle result is `failed`
};

// Renders a run read whole beforehand (campaign::load_run: InputError "file:line: what" on bad
// input, so nothing is written) and writes both files atomically, by default into run.dir.
WrittenReports write_reports(const Run& run, const ReportOptions& options = {});

}  // namespace ikeconform::reports
