// Replays every input of corpus/fuzz/<target>/ and corpus/regressions/<target>/ through the fuzz
// target bodies (fuzz/targets.hpp) without libFuzzer, in the normal ASan build. A crash the
// fuzzer once found, or a property it once broke, fails here before any campaign runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/targets.hpp"

namespace fs = std::filesystem;
namespace fz = ikeconform::fuzz;

namespace ikeconform::fuzz {
// Test names and failure output show the target's name, not its bytes.
void PrintTo(const Target& t, std::ostream* os) { *os << t.name; }
}  // namespace ikeconform::fuzz

namespace {

const fs::path kSource = IKECONFORM_SOURCE_DIR;

[[noreturn]] void throwing_handler(std::string_view target, std::string_view summary, std::string_view details) {
  throw fz::PropertyViolation(std::string(target) + ": " + std::string(summary) + "\n" + std::string(details));
}

// Files under `dir`, recursively, sorted; README files document a folder and are no input.
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().rfind("README", 0) != 0) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs one input; a violation or an unexpected exception is a test failure naming the file.
void replay(int (*run)(const std::uint8_t*, std::size_t), const fs::path& file) {
  const std::vector<std::uint8_t> bytes = read_bytes(file);
  try {
    run(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    ADD_FAILURE() << file.string() << ": " << e.what();
  }
}

class FuzzReplay : public ::testing::TestWithParam<fz::Target> {
 protected:
  void SetUp() override {
    fz::set_violation_handler(&throwing_handler);
    fz::set_model_options([] {
      ikeconform::ModelOptions o;
      o.trace = false;
      return o;
    }());
  }
  void TearDown() override { fz::set_violation_handler(nullptr); }
};

// Model counterexamples may be kept as the scenario/1 text the violation printed.
auto runner_for(const fz::Target& t, const fs::path& file) {
  if (t.name == "model" && file.extension() == ".json") return &fz::fuzz_model_scenario_json;
  return t.run;
}

// ios_roundtrip reads the parser's seeds: same inputs, more checks.
std::string seed_folder(std::string_view target) {
  return target == "ios_roundtrip" ? "ios_config" : std::string(target);
}

TEST_P(FuzzReplay, SeedCorpusHoldsTheProperties) {
  const fz::Target& t = GetParam();
  const auto seeds = files_under(kSource / "corpus/fuzz" / seed_folder(t.name));
  EXPECT_FALSE(seeds.empty()) << "no seed corpus in corpus/fuzz/" << t.name;
  for (const fs::path& f : seeds) replay(runner_for(t, f), f);
}

TEST_P(FuzzReplay, RegressionsHoldTheProperties) {
  const fz::Target& t = GetParam();
  for (const fs::path& f : files_under(kSource / "corpus/regressions" / std::string(t.name)))
    replay(runner_for(t, f), f);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(fz::targets().begin(), fz::targets().end()),
                         [](const ::testing::TestParamInfo<fz::Target>& i) { return std::string(i.param.name); });

TEST(FuzzCorpus, EveryFolderNamesAKnownTarget) {
  std::vector<std::string_view> known;
  for (const fz::Target& t : fz::targets()) known.push_back(t.name);
  for (const char* root : {"corpus/fuzz", "corpus/regressions"}) {
    if (!fs::is_directory(kSource / root)) continue;
    for (const auto& e : fs::directory_iterator(kSource / root)) {
      if (!e.is_directory()) continue;
      EXPECT_NE(std::find(known.begin(), known.end(), e.path().filename().string()), known.end())
          << e.path() << " is not a fuzz target (fuzz/targets.hpp)";
    }
  }
}

// The hand-written scenarios are the other corpus: both scenario targets must accept them.
TEST(FuzzCorpus, ScenarioCorpusPassesJsonAndModelChecks) {
  fz::set_violation_handler(&throwing_handler);
  const auto files = files_under(kSource / "corpus/scenarios");
  ASSERT_FALSE(files.empty());
  for (const fs::path& f : files) {
    replay(&fz::fuzz_scenario_json, f);
    replay(&fz::fuzz_model_scenario_json, f);
  }
  fz::set_violation_handler(nullptr);
}

TEST(FuzzCorpus, ViolationsReachTheHandler) {
  fz::set_violation_handler(&throwing_handler);
  EXPECT_THROW(fz::report_violation("t", "summary", "details"), fz::PropertyViolation);
  fz::set_violation_handler(nullptr);
}

}  // namespace
