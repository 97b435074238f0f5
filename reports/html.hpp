// The self-contained HTML report (docs/reports.md "HTML"): one file, inline CSS and SVG, no
// scripts, no network. A summary matrix (oracle x target), the run's facts, and per
// counterexample the claim, what broke and why, the failing direction's message ladder, the
// routers' IOS configuration and the trace; optionally a fuzzing section.
#pragma once

#include <string>

#include "reports/fuzz_report.hpp"
#include "reports/run.hpp"

namespace ikeconform::reports {

std::string render_html(const Run& run, const FuzzReport* fuzz = nullptr);

}  // namespace ikeconform::reports
