// JUnit XML for CI (docs/reports.md "JUnit"): one <testsuite> per target, one <testcase> per
// oracle; failed -> <failure>, expected deviation and not checked -> <skipped>.
#pragma once

#include <string>

#include "reports/run.hpp"

namespace ikeconform::reports {

std::string render_junit(const Run& run);

}  // namespace ikeconform::reports
