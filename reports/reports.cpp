#include "reports/reports.hpp"

#include <algorithm>

#include "model/files.hpp"
#include "model/input_error.hpp"
#include "reports/html.hpp"
#include "reports/junit.hpp"

namespace ikeconform::reports {
namespace fs = std::filesystem;

namespace {

// Two names for one file would make the second write replace the first.
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

WrittenReports write_reports(const Run& run, const ReportOptions& options) {
  const fs::path& dir = run.dir;
  WrittenReports out;
  out.html = options.html.value_or(dir / "report.html");
  out.junit = options.junit.value_or(dir / "junit.xml");
  if (same_file(out.html, out.junit))
    throw InputError(out.html.string(), 0, "the HTML and the JUnit report cannot be the same file");
  std::optional<FuzzReport> fuzz;
  if (options.fuzz_report) fuzz = load_fuzz_report(*options.fuzz_report);
  const std::string html = render_html(run, fuzz ? &*fuzz : nullptr);
  const std::string junit = render_junit(run);
  write_file_atomic(out.html, html);
  write_file_atomic(out.junit, junit);
  out.failed = std::any_of(run.summary.oracles.begin(), run.summary.oracles.end(),
                           [](const OracleRow& r) { return r.status == Status::Failed; });
  return out;
}

}  // namespace ikeconform::reports
