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

struct FuzzReport {
  std::string file;  // as given, shown in the report
  std::vector<FuzzTarget> targets;
};

// Throws InputError ("file:line: what").
FuzzReport load_fuzz_report(const std::filesystem::path& path);

}  // namespace ikeconform::reports
