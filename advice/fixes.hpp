// Suggested fixes for `ikeconform check`: the smallest configuration changes (add or remove a
// `ca trust-point` / `pki trustpoint` line, re-enroll a trustpoint, drop an overlapping
// `match identity`) that bring both directions up, each verified by re-running the model.
#pragma once

#include <string>
#include <vector>

#include "model/options.hpp"
#include "model/scenario.hpp"

namespace ikeconform {

struct Change {
  std::size_t peer = 0;
  std::string summary;           // "add `ca trust-point IOSCA2` to isakmp profile prof1"
  std::vector<std::string> ios;  // the IOS commands, indented as IOS writes them
};

struct Fix {
  std::vector<Change> changes;  // applied together
};

// Every single change worth trying on `s`, with the scenario it produces.
std::vector<std::pair<Change, Scenario>> candidate_changes(const Scenario& s);

// Fixes with one change first, then pairs; at most `limit`. Empty when nothing small enough works.
std::vector<Fix> suggest_fixes(const Scenario& s, const ModelOptions& o, std::size_t limit = 5);

// True when both directions bring up IKE SA and CHILD SA on the model.
bool both_directions_up(const Scenario& s, const ModelOptions& o);

}  // namespace ikeconform
