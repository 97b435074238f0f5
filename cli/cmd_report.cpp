// `ikeconform report DIR` re-renders a run folder's HTML and JUnit reports; `ikeconform diff
// OLD NEW` lists the oracle results that changed between two runs (docs/reports.md). Both read the
// run folder through campaign/ (the journal's one reader) and render with reports/.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "campaign/run_folder.hpp"
#include "cli/commands.hpp"

namespace ikeconform::cli {
namespace {

struct ReportArgs {
  std::string dir, html, junit, fuzz_report;
};

struct DiffArgs {
  std::string before, after;
};

}  // namespace

void register_report(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand("report",
                                     "Re-render DIR/report.html and DIR/junit.xml from a campaign run "
                                     "folder");
  cmd->add_option("dir", args->dir, "The run folder (summary.json, journal.jsonl, counterexamples/)")->required();
  cmd->add_option("--html", args->html, "Write the HTML report here instead of DIR/report.html");
  cmd->add_option("--junit", args->junit, "Write the JUnit XML here instead of DIR/junit.xml");
  cmd->add_option("--fuzz-report", args->fuzz_report,
                  "fuzz-report.json to add as the Fuzzing section (docs/reports.md)");
  cmd->callback([args, &out] {
    reports::ReportOptions opt;
    if (!args->html.empty()) opt.html = args->html;
    if (!args->junit.empty()) opt.junit = args->junit;
    if (!args->fuzz_report.empty()) opt.fuzz_report = args->fuzz_report;
    const reports::WrittenReports w = campaign::write_reports(args->dir, opt);
    fmt::print("wrote {}\nwrote {}\n", w.html.string(), w.junit.string());
    out.exit_code = 0;  // rendering worked; the verdict is the campaign's (and diff's) business
  });
}

void register_diff(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand("diff",
                                     "List oracle results that changed between two runs; exit 1 on a regression (now "
                                     "failed, before not)");
  cmd->add_option("old", args->before, "The earlier run folder (or its summary.json)")->required();
  cmd->add_option("new", args->after, "The later run folder (or its summary.json)")->required();
  cmd->callback([args, &out] {
    const reports::Summary before = campaign::load_summary(args->before);
    const reports::Summary after = campaign::load_summary(args->after);
    const reports::RunDiff d = reports::diff_summaries(before, after);
    fmt::print("ikeconform diff: {} -> {}\n{}", args->before, args->after, reports::diff_text(d));
    out.exit_code = d.regression() ? 1 : 0;
  });
}

}  // namespace ikeconform::cli
