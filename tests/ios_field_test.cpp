// The field corpus (corpus/ios/field/, issue 10): IOS configurations written after Cisco's
// configuration guides, 12.4 to IOS-XE 17. Every file imports with no warning; every pair in
// GOLDEN gets the verdicts written there (before the first run) from `ikeconform check`.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "ios/ios.hpp"

namespace {

const std::string kDir = std::string(IKECONFORM_SOURCE_DIR) + "/corpus/ios/field";

struct Golden {
  std::string a, b;
  int exit_code = -1;
  std::vector<std::string> directions;  // prefixes of check's direction lines
};

std::vector<Golden> goldens() {
  std::ifstream in(kDir + "/GOLDEN");
  std::vector<Golden> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("pair ", 0) == 0) {
      std::istringstream w(line.substr(5));
      out.emplace_back();
      w >> out.back().a >> out.back().b;
    } else if (line.rfind("exit ", 0) == 0 && !out.empty()) {
      out.back().exit_code = std::stoi(line.substr(5));
    } else if (line.find(" -> ") != std::string::npos && !out.empty() && line.rfind("why:", 0) != 0) {
      out.back().directions.push_back(line);
    }
  }
  return out;
}

std::pair<int, std::string> check(const std::string& a, const std::string& b) {
  auto r = ikeconform::test::cli("check " + kDir + "/" + a + " " + kDir + "/" + b);
  return {r.exit_code, r.out};
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(IosField, AtLeastFortyFilesEachNamingItsGuideAndImportingWithoutWarnings) {
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().filename() == "GOLDEN") continue;
    ++files;
    std::string text = read(e.path());
    EXPECT_NE(text.find("! Follows: "), std::string::npos) << e.path() << " names no guide";
    ikeconform::ios::IosConfig c = ikeconform::ios::parse_ios_config(text, e.path().filename().string());
    EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
  }
  EXPECT_GE(files, 40);
}

TEST(IosField, EveryPairGetsItsGoldenVerdict) {
  auto gs = goldens();
  ASSERT_GE(gs.size(), 20u);
  for (const Golden& g : gs) {
    auto [code, out] = check(g.a, g.b);
    EXPECT_EQ(code, g.exit_code) << g.a << " " << g.b << "\n" << out;
    EXPECT_EQ(out.find("warning:"), std::string::npos) << out;
    ASSERT_EQ(g.directions.size(), 2u) << g.a;
    for (const std::string& d : g.directions)
      EXPECT_NE(out.find("\n" + d), std::string::npos) << g.a << " " << g.b << ": " << d << "\n" << out;
  }
}
