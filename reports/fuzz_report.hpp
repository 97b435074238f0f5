// fuzz-report.json (`ikeconform.fuzz-report/1`, docs/reports.md): what a fuzzing run hands to
// the HTML report. Only `schema` and each target's `name` are required.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ikeconform::reports {

struct FuzzCrash {
  std::string kind;        // "crash", "leak", "timeout", "oom", ...
  std::string artifact;    // file name of the reproducer input
  std::string summary;     // first sanitizer line
  std::string reproducer;  // command line that replays it
};

struct FuzzTarget {
  std::string name;
  std::optional<double> exec_per_s, elapsed_s;
  std::optional<std::uint64_t> runs, coverage, features, corpus_size, new_corpus;
  std::vector<FuzzCrash> crashes;
};

// One daemon fuzzed by `ikeconform fuzz-peer` (its fuzz-peer.json, docs/fuzzing.md).
struct DaemonFinding {
  std::string id, oracle, point, summary;
};
struct DaemonFuzz {
  std::string target;           // strongswan, libreswan, planted
  std::string daemon;           // its version
  std::string unavailable;      // why it was not fuzzed (not root, not installed); else empty
  std::string harness_failure;  // why the run could not go on; else empty
  std::optional<double> exec_per_s, seconds;
  std::optional<std::uint64_t> executions, distinct_responses, harness_errors;
  std::vector<std::string> states_reached;
  std::vector<DaemonFinding> findings;
};

struct FuzzReport {
  std::string file;  // as given, shown in the report
  std::vector<FuzzTarget> targets;
  std::vector<DaemonFuzz> daemons;  // optional `daemons` list
};

// Throws InputError ("file:line: what").
FuzzReport load_fuzz_report(const std::filesystem::path& path);

}  // namespace ikeconform::reports
