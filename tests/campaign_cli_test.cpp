// The campaign must-shows, end to end through the `ikeconform` binary (IKECONFORM_BIN):
// P-1 violation found and shrunk to two CAs, resume after SIGINT / SIGKILL, shards merge to the
// unsharded counts, baselines, bad input. The 100,000-scenario run is CampaignHeavy.* (label `campaign`).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "campaign/journal.hpp"
#include "model/scenario_json.hpp"

#include "cli_process.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using ikeconform::testing::slurp;
using ikeconform::testing::wait_exit;

fs::path scratch(const std::string& name) { return ikeconform::testing::scratch_path("ikeconform-cli", name); }
pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  return ikeconform::testing::spawn_logged(IKECONFORM_BIN, args, log);
}

struct CliRun {
  int code;
  std::string output;
};

CliRun run(const std::vector<std::string>& args) {
  static int n = 0;
  const fs::path log = scratch("log" + std::to_string(++n));
  const int code = wait_exit(spawn(args, log));
  CliRun r{code, slurp(log)};
  fs::remove(log);
  return r;
}

json read_json(const fs::path& p) { return json::parse(slurp(p)); }

[[maybe_unused]] std::vector<json> journal(const fs::path& dir) {
  std::vector<json> out;
  std::istringstream in(slurp(dir / "journal.jsonl"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

// The journal as the campaign library reads it (ikeconform.journal/2: passing scenarios are
// "passed" checkpoints, not lines of their own).
[[maybe_unused]] ikeconform::campaign::JournalState journal_state(const fs::path& dir) {
  return ikeconform::campaign::read_journal(dir / "journal.jsonl");
}

// Scenarios journaled so far by a running campaign (0 while there is no complete header yet).
[[maybe_unused]] std::uint64_t journaled(const fs::path& dir) {
  try {
    return journal_state(dir).scenarios;
  } catch (const std::exception&) {
    return 0;
  }
}

// Per oracle: checked / failed / skipped, the part of a summary that must not depend on how it was run.
[[maybe_unused]] std::map<std::string, std::array<std::uint64_t, 3>> counts(const json& summary) {
  std::map<std::string, std::array<std::uint64_t, 3>> out;
  for (const json& o : summary["oracles"]) out[o["id"]] = {o["checked"], o["failed"], o["skipped"]};
  return out;
}

#ifndef IKECONFORM_HEAVY_ONLY
// corpus/counterexamples/<what>/: counterexamples the project has learned from, as campaigns saved
// them (scenario + .observations.json with the oracle and the model options). Each must still be
// caught under its recorded options (replay exits 1), so the harness keeps finding what it found.
TEST(CampaignCli, LearnedCounterexamplesStillFail) {
  const fs::path root = fs::path(IKECONFORM_SOURCE_DIR) / "corpus/counterexamples";
  int replayed = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".json" || name.find(".observations.") != std::string::npos) continue;
    const CliRun r = run({"replay", e.path().string()});
    EXPECT_EQ(r.code, 1) << e.path() << "\n" << r.output;
    EXPECT_NE(r.output.find(" fail"), std::string::npos) << e.path() << "\n" << r.output;
    ++replayed;
  }
  EXPECT_GE(replayed, 2) << "no counterexamples under " << root;
}

// The planted-bug counterexamples hold again once the rule is switched back (V1-6 on): the
// failure is the option's, not the scenario's.
TEST(CampaignCli, PlantedCounterexamplesPassWithTheSpecDefault) {
  const fs::path dir = fs::path(IKECONFORM_SOURCE_DIR) / "corpus/counterexamples/initiator-choice-unrestricted";
  for (const char* f : {"P-1-1.json", "P-6-1.json"}) {
    const CliRun r = run({"replay", (dir / f).string(), "--model-option", "initiator_choice_restricted_to_profile=on"});
    EXPECT_EQ(r.code, 0) << f << "\n" << r.output;
  }
}
#endif

#ifndef IKECONFORM_HEAVY_ONLY
TEST(CampaignCli, DefaultOptionsEveryOracleHolds) {
  const fs::path out = scratch("default");
  const CliRun r = run({"campaign", "--target", "model", "--runs", "2000", "--jobs", "2", "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.output;
  const json s = read_json(out / "summary.json");
  EXPECT_EQ(s["schema"], "ikeconform.summary/1");
  EXPECT_EQ(s["scenarios"], 2000);
  EXPECT_EQ(s["complete"], true);
  ASSERT_EQ(s["oracles"].size(), 10u);  // P-1..P-9 and CERTREQ-ANCHORS (DIFF-MODEL needs a real target)
  for (const json& o : s["oracles"]) {
    EXPECT_EQ(o["failed"], 0) << o["id"];
    EXPECT_GT(o["checked"].get<int>(), 0) << o["id"];
    EXPECT_EQ(o["status"], "passed");
  }
  const auto lines = journal(out);
  EXPECT_EQ(lines.front()["type"], "header");
  EXPECT_EQ(lines.back()["type"], "end");
  EXPECT_EQ(journal_state(out).scenarios, 2000u);
  // ikeconform.journal/2: passing model scenarios cost at most 16 bytes each on average.
  EXPECT_LE(fs::file_size(out / "journal.jsonl"), 16u * 2000u);
  EXPECT_TRUE(fs::exists(out / "report.html"));  // docs/reports.md: written at the end of a campaign
  EXPECT_TRUE(fs::exists(out / "junit.xml"));
  fs::remove_all(out);
}

// Must-show (b): with the inferred V1-6 rule switched off the campaign finds a P-1 violation and
// shrinks it to a scenario with exactly two user CAs, which replays.
// --shrink-time bounds a shrink in wall-clock time: spent at once, the failure is saved as
// found, and its journal line says the budget ran out.
TEST(CampaignCli, ShrinkTimeBudgetSavesTheFailureAsFound) {
  const fs::path out = scratch("shrink-time");
  const CliRun r = run({"campaign", "--target", "model", "--runs", "2000", "--seed", "1", "--model-option",
                        "initiator_choice_restricted_to_profile=off", "--oracle", "P-1", "--max-counterexamples", "1",
                        "--shrink-time", "0.000001", "--out", out.string()});
  ASSERT_EQ(r.code, 1) << r.output;
  std::size_t saved = 0;
  for (const json& line : journal(out))
    if (line["type"] == "counterexample") {
      ++saved;
      EXPECT_EQ(line["shrink_budget_spent"], 0.000001) << line.dump();
      EXPECT_EQ(line["shrink_steps"], 0) << line.dump();  // not one candidate ran
    }
  EXPECT_EQ(saved, 1u);
  fs::remove_all(out);
}

TEST(CampaignCli, UnrestrictedInitiatorChoiceBreaksP1WithTwoCas) {
  const fs::path out = scratch("p1");
  const CliRun r = run({"campaign", "--target", "model", "--runs", "2000", "--seed", "1", "--model-option",
                        "initiator_choice_restricted_to_profile=off", "--out", out.string()});
  ASSERT_EQ(r.code, 1) << r.output;
  const json s = read_json(out / "summary.json");
  json p1;
  for (const json& o : s["oracles"])
    if (o["id"] == "P-1") p1 = o;
  ASSERT_GT(p1["failed"].get<int>(), 0);
  ASSERT_FALSE(p1["counterexamples"].empty());
  EXPECT_EQ(p1["status"], "failed");
  for (const json& rel : p1["counterexamples"]) {
    const ikeconform::Scenario ce = ikeconform::load_scenario_file(out / rel.get<std::string>());
    EXPECT_EQ(ce.cas.size(), 2u) << rel;
  }
  const fs::path first = out / p1["counterexamples"][0].get<std::string>();
  const json obs = read_json(fs::path(first).replace_extension(".observations.json"));
  EXPECT_EQ(obs["oracle"], "P-1");
  EXPECT_EQ(obs["directions"].size(), 2u);
  EXPECT_FALSE(obs["message"].get<std::string>().empty());
  EXPECT_EQ(obs["verdict"], "fail");  // still fails when re-run with the trace on
  ASSERT_TRUE(obs.contains("failing"));
  EXPECT_TRUE(obs["failing"]["related"].is_null());
  EXPECT_FALSE(obs["directions"][obs["failing"]["direction"].get<std::size_t>()]["ike_sa"] == "established" &&
               obs["directions"][obs["failing"]["direction"].get<std::size_t>()]["child_sa"] == "established");
  EXPECT_TRUE(fs::exists(out / "counterexamples/P-1-1.R1.ios.txt"));
  EXPECT_TRUE(fs::exists(out / "counterexamples/P-1-1.R2.ios.txt"));
  // Replay uses the recorded options: still fails; with the rule back on it holds.
  EXPECT_EQ(run({"replay", first.string()}).code, 1);
  EXPECT_EQ(run({"replay", first.string(), "--model-option", "initiator_choice_restricted_to_profile=on"}).code, 0);
  fs::remove_all(out);
}

// Must-show (c): SIGINT stops cleanly (summary for what finished), --resume keeps every journaled
// scenario and finishes; the result equals an uninterrupted run's.
TEST(CampaignCli, ResumeAfterSigintAndSigkill) {
  // A model campaign journals its passing scenarios once a second: the run must outlast that.
#if defined(__SANITIZE_ADDRESS__)
  constexpr std::size_t kRuns = 6000;  // ~4 s under ASan
#else
  constexpr std::size_t kRuns = 40000;  // ~3 s in a Release build
#endif
  const std::vector<std::string> base{"campaign", "--target", "model", "--runs", std::to_string(kRuns), "--seed", "5"};
  const fs::path full = scratch("full");
  auto args = base;
  args.insert(args.end(), {"--out", full.string()});
  ASSERT_EQ(run(args).code, 0);

  for (int sig : {SIGINT, SIGKILL}) {
    const fs::path out = scratch("resume" + std::to_string(sig));
    args = base;
    args.insert(args.end(), {"--out", out.string()});
    const fs::path log = scratch("resume-log");
    const pid_t pid = spawn(args, log);
    for (int i = 0; i < 6000 && journaled(out) <= 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::kill(pid, sig);
    const int code = wait_exit(pid);
    const auto before = journal_state(out);
    ASSERT_GT(before.scenarios, 100u);
    ASSERT_LT(before.scenarios, kRuns) << "the run finished before the signal";
    if (sig == SIGINT) {
      EXPECT_EQ(code, 0) << slurp(log);
      const json partial = read_json(out / "summary.json");
      EXPECT_EQ(partial["complete"], false);
      EXPECT_EQ(partial["scenarios"].get<std::size_t>(), before.scenarios);
      EXPECT_EQ(journal(out).back()["type"], "end");
    } else {
      // A torn last line (killed mid-write) is allowed: leave one to prove resume copes with it.
      std::ofstream(out / "journal.jsonl", std::ios::app) << R"({"type":"scenario","index":)";
    }
    auto again = args;
    again.push_back("--resume");
    const CliRun r = run(again);
    ASSERT_EQ(r.code, 0) << r.output;
    const auto after = journal_state(out);
    EXPECT_EQ(after.scenarios, kRuns);  // nothing ran twice, nothing was left out
    EXPECT_EQ(after.resumes, 1u);
    for (std::uint64_t i = 0; i < kRuns; ++i) {
      EXPECT_TRUE(after.done.contains(i)) << i;
      if (!after.done.contains(i)) break;
    }
    const json s = read_json(out / "summary.json");
    EXPECT_EQ(s["complete"], true);
    // The same final summary as the uninterrupted run (timings aside).
    const json whole = read_json(full / "summary.json");
    EXPECT_EQ(s["scenarios"], whole["scenarios"]);
    EXPECT_EQ(s["unsupported"], whole["unsupported"]);
    EXPECT_EQ(s["oracles"], whole["oracles"]);
    EXPECT_EQ(counts(s), counts(whole));
    fs::remove_all(out);
    fs::remove(log);
  }
  fs::remove_all(full);
}

// Must-show (d): shard 1/2 + 2/2 merged == the unsharded counts.
TEST(CampaignCli, ShardsMergeToUnshardedCounts) {
  const std::vector<std::string> base{"campaign", "--target",       "model",
                                      "--runs",   "3000",           "--seed",
                                      "9",        "--model-option", "initiator_choice_restricted_to_profile=off"};
  const fs::path whole = scratch("whole"), s1 = scratch("s1"), s2 = scratch("s2"), merged = scratch("merged");
  auto with = [&](std::vector<std::string> extra, const fs::path& out) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    a.insert(a.end(), {"--out", out.string()});
    return run(a).code;
  };
  EXPECT_EQ(with({}, whole), 1);
  EXPECT_EQ(with({"--shard", "1/2", "--jobs", "2"}, s1), 1);
  EXPECT_EQ(with({"--shard", "2/2"}, s2), 1);
  const auto j1 = journal_state(s1), j2 = journal_state(s2);
  EXPECT_EQ(j1.scenarios + j2.scenarios, 3000u);
  for (std::uint64_t i = 0; i < 3000; ++i) EXPECT_NE(j1.done.contains(i), j2.done.contains(i)) << i;
  const CliRun m = run({"merge", merged.string(), s1.string(), s2.string()});
  EXPECT_EQ(m.code, 1) << m.output;
  const json ms = read_json(merged / "summary.json");
  EXPECT_EQ(ms["scenarios"], 3000);
  EXPECT_TRUE(ms["shard"].is_null());
  EXPECT_EQ(ms["shards"].size(), 2u);
  EXPECT_EQ(counts(ms), counts(read_json(whole / "summary.json")));
  EXPECT_EQ(journal_state(merged).scenarios, 3000u);
  for (const json& o : ms["oracles"])
    for (const json& rel : o["counterexamples"]) EXPECT_TRUE(fs::exists(merged / rel.get<std::string>())) << rel;
  // Merging shards of different campaigns is refused.
  const fs::path other = scratch("other"), bad = scratch("bad");
  ASSERT_EQ(run({"campaign", "--runs", "10", "--seed", "10", "--shard", "2/2", "--out", other.string()}).code, 0);
  EXPECT_EQ(run({"merge", bad.string(), s1.string(), other.string()}).code, 2);
  for (const auto& d : {whole, s1, s2, merged, other, bad}) fs::remove_all(d);
}

TEST(CampaignCli, TimeBoundedCampaignStopsAndSelectsOracles) {
  const fs::path out = scratch("timed");
  const CliRun r = run({"campaign", "--max-total-time", "2", "--oracle", "P-4", "--oracle", "P-3", "--class", "any",
                        "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.output;
  const json s = read_json(out / "summary.json");
  EXPECT_TRUE(s["runs"].is_null());
  EXPECT_EQ(s["class"], "any");
  EXPECT_GT(s["scenarios"].get<int>(), 10);
  EXPECT_LT(s["elapsed_s"].get<double>(), 30.0);
  ASSERT_EQ(s["oracles"].size(), 2u);
  EXPECT_EQ(s["oracles"][0]["id"], "P-3");
  EXPECT_EQ(s["oracles"][1]["id"], "P-4");
  EXPECT_EQ(journal(out).front()["class"], "any");
  for (const json& j : journal(out)) {
    if (j["type"] == "scenario") {
      EXPECT_EQ(j["results"].size(), 2u);
      EXPECT_EQ(j["class"], "any");
    }
    if (j["type"] == "passed") {
      EXPECT_EQ(j["pass"].size(), 2u);
    }
  }
  fs::remove_all(out);
}

TEST(CampaignCli, BaselineTurnsKnownDeviationsGreen) {
  const fs::path a = scratch("ba"), b = scratch("bb"), c = scratch("bc");
  const fs::path baseline = scratch("baseline.json");
  const std::vector<std::string> off{"--model-option", "initiator_choice_restricted_to_profile=off"};
  auto campaign = [&](const fs::path& out, std::vector<std::string> extra) {
    std::vector<std::string> args{"campaign", "--runs", "1500", "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  };
  auto extra = off;
  extra.insert(extra.end(), {"--write-baseline", baseline.string()});
  EXPECT_EQ(campaign(a, extra).code, 1);
  EXPECT_EQ(read_json(baseline)["oracles"]["P-1"], "fail");
  extra = off;
  extra.insert(extra.end(), {"--baseline", baseline.string()});
  EXPECT_EQ(campaign(b, extra).code, 0);
  const json s = read_json(b / "summary.json");
  EXPECT_EQ(s["baseline_matches"], true);
  for (const json& o : s["oracles"]) {
    if (o["id"] == "P-1") {
      EXPECT_EQ(o["status"], "expected_deviation");
    }
  }
  // The model fixed: P-1 passes where the baseline expects a failure, which is a change too.
  EXPECT_EQ(campaign(c, {"--baseline", baseline.string()}).code, 1);
  for (const auto& d : {a, b, c, baseline}) fs::remove_all(d);
}

TEST(CampaignCli, BadInputExitsTwoAndWritesNothing) {
  const fs::path out = scratch("bad-input");
  EXPECT_EQ(run({"campaign", "--shard", "3/2", "--out", out.string()}).code, 2);
  EXPECT_EQ(run({"campaign", "--oracle", "P-42", "--out", out.string()}).code, 2);
  EXPECT_EQ(run({"campaign", "--class", "nonsense", "--out", out.string()}).code, 2);
  EXPECT_EQ(run({"campaign", "--model-option", "nope=1", "--out", out.string()}).code, 2);
  EXPECT_EQ(run({"campaign", "--target", "no-such-target", "--out", out.string()}).code, 2);
  EXPECT_EQ(run({"campaign", "--shrink-time", "-1", "--out", out.string()}).code, 2);
  const fs::path baseline = scratch("broken-baseline.json");
  std::ofstream(baseline) << "{\n  \"schema\": \"ikeconform.baseline/1\",\n  \"oracles\": {\n    \"P-1\": \"maybe\"\n  "
                             "}\n}\n";
  const CliRun r = run({"campaign", "--baseline", baseline.string(), "--out", out.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find(baseline.string() + ":4:"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
  // An existing journal is never overwritten; resuming another campaign is refused.
  ASSERT_EQ(run({"campaign", "--runs", "20", "--out", out.string()}).code, 0);
  const std::string before = slurp(out / "journal.jsonl");
  EXPECT_EQ(run({"campaign", "--runs", "20", "--out", out.string()}).code, 2);
  const CliRun other = run({"campaign", "--runs", "20", "--seed", "2", "--resume", "--out", out.string()});
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.output.find("journal.jsonl:1:"), std::string::npos) << other.output;
  EXPECT_EQ(slurp(out / "journal.jsonl"), before);
  EXPECT_EQ(run({"replay", (out / "missing.json").string()}).code, 2);
  fs::remove_all(out);
  fs::remove(baseline);
}

#else
// Must-show (a): every oracle holds on the model over 100,000 generated scenarios.
TEST(CampaignHeavy, HundredThousandScenariosDefaultOptions) {
  const fs::path out = scratch("100k");
  const CliRun r = run({"campaign", "--target", "model", "--runs", "100000", "--jobs", "2", "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.output;
  const json s = read_json(out / "summary.json");
  EXPECT_EQ(s["scenarios"], 100000);
  for (const json& o : s["oracles"]) {
    EXPECT_EQ(o["failed"], 0) << o["id"];
    EXPECT_GT(o["checked"].get<int>(), 100) << o["id"];
  }
  std::cout << r.output;
  fs::remove_all(out);
}
#endif

}  // namespace
