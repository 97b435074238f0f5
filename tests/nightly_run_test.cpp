// scripts/nightly itself (docs/fuzzing.md "The nightly as code"): two shards and the merge on a
// tiny budget, with the test build's ikeconform (label `real`: as root the real-stack campaigns
// and the daemon fuzzing run too; without root they are skipped and said so in shard.json).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_process.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = IKECONFORM_SOURCE_DIR;

TEST(NightlyRun, TwoShardsAndTheMergeOnATinyBudget) {
  const fs::path out = testing::scratch_path("nightly", "run");
  auto run = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = args;
    for (const std::string& a :
         {std::string("--out"), out.string(), std::string("--ikeconform"), std::string(IKECONFORM_BIN)})
      all.push_back(a);
    const pid_t pid = testing::spawn_logged((kSource / "scripts/nightly").string(), all, out.string() + ".log");
    const int rc = testing::wait_exit(pid, std::chrono::seconds(600));
    return std::make_pair(rc, testing::slurp(out.string() + ".log"));
  };
  for (const char* shard : {"1/2", "2/2"}) {
    const auto [rc, log] = run({"--shard", shard, "--budget", "8", "--no-build", "--seed", "7"});
    EXPECT_TRUE(rc == 0 || rc == 1) << "exit " << rc << "\n" << log;  // a finding is news, not a failure
  }
  const auto [rc, log] = run({"--merge", "--no-build"});
  EXPECT_TRUE(rc == 0 || rc == 1) << "exit " << rc << "\n" << log;
  const json night = json::parse(testing::slurp(out / "merged/nightly.json"));
  ASSERT_EQ(night.at("shards").size(), 2u);
  for (const json& s : night["shards"]) {
    EXPECT_NE(s.at("status"), 3) << s.dump(2);
    bool model = false;
    for (const json& p : s.at("parts")) model = model || p.at("part") == "campaign model";
    EXPECT_TRUE(model) << s.dump(2);
  }
  EXPECT_TRUE(fs::exists(out / "merged/campaign-model/summary.json"));
  const std::string html = testing::slurp(out / "merged/report.html");
  EXPECT_NE(html.find("<h2 id=\"fuzzing\">"), std::string::npos);
  const json fuzz = json::parse(testing::slurp(out / "merged/fuzz-report.json"));
  if (::geteuid() == 0) {  // the daemons: planted on shard 1, strongswan on shard 2
    EXPECT_GE(fuzz.at("daemons").size(), 2u) << fuzz.dump(2);
    EXPECT_NE(html.find("Daemon fuzzing"), std::string::npos);
  }
  fs::remove_all(out);
  fs::remove(out.string() + ".log");
}

}  // namespace
}  // namespace ikeconform
