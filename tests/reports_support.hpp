// Helpers for the report tests: temporary folders, a fake campaign run folder made with the
// real model (corpus S1, R2 -> R1 fails at MM5), and a small XML well-formedness checker for
// machines without xmllint.
#pragma once

#include <filesystem>
#include <string>

#include "model/engine.hpp"

namespace ikeconform::testing {

namespace fs = std::filesystem;

// A fresh folder below the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& p);
void write_file(const fs::path& p, const std::string& text);

// Strings a hostile or careless user could put in a scenario.
inline const std::string kHostileName = "<script>alert(\"pwned\")</script> & 'co'";
inline const std::string kHostileDn = "cn=<CA1>&co,o=cisco,o=com";

struct FakeRunOptions {
  bool p2_fails = false;  // a second run where P-2 turned from pass to fail
  bool with_journal = true;
  bool with_ios = true;
};

// Writes DIR/summary.json, DIR/journal.jsonl and DIR/counterexamples/P-1-1.* as docs/campaign.md
// describes them. Oracles: P-1 failed (one counterexample), P-2 passed (or failed), P-7 expected
// deviation, P-8 not checked.
void make_fake_run(const fs::path& dir, const FakeRunOptions& o = {});

// Minimal XML 1.0 well-formedness check (elements, attributes, entities, comments, PIs);
// returns "" when well-formed, else what is wrong.
std::string xml_problem(const std::string& xml);

// Runs a shell command; returns its exit status (-1 if it did not exit normally).
int run_command(const std::string& cmd);
bool have_program(const std::string& name);

}  // namespace ikeconform::testing
