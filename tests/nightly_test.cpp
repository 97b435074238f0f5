// The nightly as code (docs/fuzzing.md): the CI workflow and the Kubernetes manifest are read
// (python3-yaml turns them into JSON) and their structure checked, since no runner or cluster is
// reachable from here (label `cli`). tests/nightly_run_test.cpp runs the script itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_process.hpp"
#include "drivers/process/process.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = IKECONFORM_SOURCE_DIR;

// Every YAML document of `file`, as JSON.
json yaml(const fs::path& file) {
  const auto r = process::run({"python3", "-c",
                               "import json, sys, yaml\nprint(json.dumps(list(yaml.safe_load_all(open(sys.argv[1]))), "
                               "default=str))",
                               file.string()},
                              {}, std::chrono::seconds(30));
  if (!r.ok()) throw std::runtime_error("python3 -c yaml: " + r.err);
  return json::parse(r.out);
}

// The `run:` lines of a job's steps.
std::vector<std::string> runs(const json& job) {
  std::vector<std::string> out;
  for (const json& s : job.at("steps"))
    if (s.contains("run")) out.push_back(s["run"].get<std::string>());
  return out;
}
bool uses(const json& job, const std::string& action) {
  for (const json& s : job.at("steps"))
    if (s.contains("uses") && s["uses"].get<std::string>().rfind(action, 0) == 0) return true;
  return false;
}
// The nightly work goes through scripts/nightly only: no run line calls the harness, a campaign or
// the fuzz scripts directly.
void expect_only_the_script(const std::vector<std::string>& lines) {
  for (const std::string& l : lines)
    for (const char* direct : {"ikeconform ", "bin/ikeconform", "fuzz-nightly", "fuzz-peer", "campaign "})
      EXPECT_EQ(l.find(direct), std::string::npos) << "calls " << direct << " besides scripts/nightly: " << l;
}

class NightlyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    if (process::run({"python3", "-c", "import yaml"}, {}, std::chrono::seconds(30)).exit_code != 0)
      GTEST_SKIP() << "\n\n*** SKIPPED: python3-yaml is not installed (scripts/bootstrap test installs it) ***\n";
  }
};

TEST_F(NightlyFiles, WorkflowShardsMergesPublishesAndBatchFuzzes) {
  const json docs = yaml(kSource / ".github/workflows/nightly.yml");
  ASSERT_EQ(docs.size(), 1u);
  const json& w = docs[0];
  // YAML 1.1 reads the key `on` as true.
  const json& on = w.contains("on") ? w["on"] : w.at("true");
  EXPECT_TRUE(on.contains("schedule"));
  EXPECT_TRUE(on.contains("workflow_dispatch"));
  const json& jobs = w.at("jobs");

  const json& shard = jobs.at("shard");
  const json& matrix = shard.at("strategy").at("matrix").at("shard");
  ASSERT_TRUE(matrix.is_array());
  const std::size_t n = matrix.size();
  ASSERT_GE(n, 2u);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(matrix[i], i + 1);
  bool shard_call = false;
  for (const std::string& l : runs(shard))
    if (l.find("scripts/nightly") != std::string::npos) {
      EXPECT_NE(l.find("--shard ${{ matrix.shard }}/" + std::to_string(n)), std::string::npos) << l;
      shard_call = true;
    }
  EXPECT_TRUE(shard_call);
  expect_only_the_script(runs(shard));
  EXPECT_TRUE(uses(shard, "actions/upload-artifact"));

  const json& merge = jobs.at("merge");
  const json needs = merge.at("needs").is_array() ? merge["needs"] : json::array({merge["needs"]});
  EXPECT_NE(std::find(needs.begin(), needs.end(), "shard"), needs.end());
  bool merge_call = false;
  for (const std::string& l : runs(merge))
    merge_call = merge_call || l.find("scripts/nightly --merge") != std::string::npos;
  EXPECT_TRUE(merge_call);
  expect_only_the_script(runs(merge));
  EXPECT_TRUE(uses(merge, "actions/download-artifact"));
  EXPECT_TRUE(uses(merge, "actions/upload-artifact"));
  EXPECT_TRUE(uses(merge, "actions/upload-pages-artifact"));
  EXPECT_TRUE(uses(jobs.at("publish"), "actions/deploy-pages"));

  const json& cfl = jobs.at("clusterfuzzlite");
  EXPECT_TRUE(uses(cfl, "google/clusterfuzzlite/actions/build_fuzzers"));
  bool batch = false;
  for (const json& s : cfl.at("steps"))
    if (s.value("uses", "").rfind("google/clusterfuzzlite/actions/run_fuzzers", 0) == 0)
      batch = s.at("with").value("mode", "") == "batch";
  EXPECT_TRUE(batch);
}

TEST_F(NightlyFiles, KubernetesIndexedJobAndMergeJobCallTheScript) {
  const json docs = yaml(kSource / "deploy/k8s/nightly.yaml");
  const json *shards = nullptr, *merge = nullptr, *pvc = nullptr;
  for (const json& d : docs) {
    if (d.value("kind", "") == "PersistentVolumeClaim") pvc = &d;
    if (d.value("kind", "") != "Job") continue;
    if (d.at("spec").value("completionMode", "") == "Indexed") shards = &d;
    else merge = &d;
  }
  ASSERT_TRUE(shards && merge && pvc);
  const json& spec = shards->at("spec");
  const int n = spec.at("completions").get<int>();
  EXPECT_GE(n, 2);
  EXPECT_EQ(spec.at("parallelism").get<int>(), n);
  const json& c = spec.at("template").at("spec").at("containers").at(0);
  std::string args;
  for (const json& a : c.at("args")) args += a.get<std::string>() + " ";
  EXPECT_TRUE(std::regex_search(args, std::regex("scripts/nightly --shard \\$\\(\\(JOB_COMPLETION_INDEX \\+ 1\\)\\)/" +
                                                 std::to_string(n) + " ")))
      << args;
  expect_only_the_script({args});
  EXPECT_TRUE(c.at("securityContext").at("privileged").get<bool>());
  const json& mc = merge->at("spec").at("template").at("spec").at("containers").at(0);
  std::string margs;
  for (const json& a : mc.at("args")) margs += a.get<std::string>() + " ";
  EXPECT_NE(margs.find("scripts/nightly --merge --out /out"), std::string::npos) << margs;
  // Both write to the one volume.
  const std::string claim = pvc->at("metadata").at("name");
  for (const json* j : {shards, merge}) {
    const json& vol = j->at("spec").at("template").at("spec").at("volumes").at(0);
    EXPECT_EQ(vol.at("persistentVolumeClaim").at("claimName"), claim);
  }
}

}  // namespace
}  // namespace ikeconform
