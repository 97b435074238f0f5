// What `campaign` and `replay` share for every target: making targets by name, sweeping what
// dead runs left behind, and SIGINT / SIGTERM handling that never leaves daemons, namespaces or
// temp folders behind.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "target/target.hpp"

namespace ikeconform::campaign {

// `n` targets named `name` ("model", "strongswan", "exec:PATH"); unknown names and targets that
// cannot start (an adapter that is not there or says no hello) are InputError("--target").
// Real targets first get the leftovers of dead runs swept (namespaces, temp folders).
std::vector<std::unique_ptr<Target>> open_targets(const std::string& name, std::size_t n, const TargetConfig& config);

// While alive: the first SIGINT / SIGTERM / SIGHUP asks the command to stop (stop_requested()),
// which then finishes what is in flight and tears its targets down itself; a second one runs
// cleanup::cleanup_all() (every daemon, namespace and temp folder the process registered) and
// ends the process with that signal's default action.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static bool stop_requested();
};

}  // namespace ikeconform::campaign
