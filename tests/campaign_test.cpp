// The campaign library called in process (campaign/): a small model campaign, shrinking and the
// counterexample files, the journal's writer and its one reader (journal/2 and journal/1), merge
// of shards, resume, and the one atomic file writer (model/files.hpp).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "campaign/campaign.hpp"
#include "campaign/counterexample.hpp"
#include "campaign/journal.hpp"
#include "campaign/run_folder.hpp"
#include "model/files.hpp"
#include "model/input_error.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::campaign {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path scratch(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("ikeconform-campaign-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

CampaignSpec model_spec(const fs::path& out, std::uint64_t runs, std::uint64_t seed = 3) {
  CampaignSpec s;
  s.out = out;
  s.runs = runs;
  s.seed = seed;
  s.jobs = 2;
  s.progress = false;
  return s;
}

// Per oracle: checked / failed / skipped.
std::map<std::string, std::array<std::uint64_t, 3>> counts(const json& summary) {
  std::map<std::string, std::array<std::uint64_t, 3>> out;
  for (const auto& o : summary["oracles"]) out[o["id"]] = {o["checked"], o["failed"], o["skipped"]};
  return out;
}

TEST(Campaign, SmallModelCampaignInProcess) {
  const fs::path out = scratch("small");
  const CampaignResult r = run_campaign(model_spec(out, 1500));
  ASSERT_EQ(r.exit_code, 0) << r.error;
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(r.summary["scenarios"], 1500);
  EXPECT_EQ(r.summary["complete"], true);
  for (const auto& o : r.summary["oracles"]) EXPECT_EQ(o["failed"], 0) << o["id"];
  // The journal read back says what the summary says.
  const JournalState st = read_journal(out / "journal.jsonl");
  EXPECT_EQ(st.version, 2);
  EXPECT_EQ(st.scenarios, 1500u);
  EXPECT_TRUE(st.ended);
  EXPECT_EQ(counts(summary_json(st, BaselineCheck{})), counts(r.summary));
  for (std::uint64_t i = 0; i < 1500; ++i) ASSERT_TRUE(st.done.contains(i)) << i;
  EXPECT_FALSE(st.done.contains(1500));
  // journal/2: passing scenarios of a model campaign cost at most 16 bytes each on average.
  EXPECT_LE(fs::file_size(out / "journal.jsonl"), 16u * 1500u) << slurp(out / "journal.jsonl");
  EXPECT_TRUE(fs::exists(out / "report.html"));
  // Inputs are checked before anything is written: an existing journal is never overwritten.
  EXPECT_THROW(run_campaign(model_spec(out, 10)), InputError);
  fs::remove_all(out);
}

TEST(Campaign, FailureIsShrunkAndSavedAsReplayableFiles) {
  const fs::path out = scratch("shrink");
  CampaignSpec spec = model_spec(out, 1500, 1);
  spec.model_options = {"initiator_choice_restricted_to_profile=off"};
  spec.max_counterexamples = 1;
  const CampaignResult r = run_campaign(spec);
  ASSERT_EQ(r.exit_code, 1) << r.error;
  const JournalState st = read_journal(out / "journal.jsonl");
  ASSERT_GT(st.tally.at("P-1").fail, 0u);
  ASSERT_EQ(st.tally.at("P-1").counterexamples.size(), 1u);
  const CounterexampleRecord* p1 = nullptr;
  for (const auto& c : st.counterexamples)
    if (c.oracle == "P-1") p1 = &c;
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->scenario, "counterexamples/P-1-1.json");
  EXPECT_EQ(p1->ios.size(), 2u);
  // Shrunk to the two CAs the V1-6 violation needs.
  const Scenario s = load_scenario_file(out / p1->scenario);
  EXPECT_EQ(s.cas.size(), 2u);
  const auto recorded = read_recorded(out / p1->scenario);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->oracle, "P-1");
  // Replay in process: still fails with the recorded options, holds with the rule back on.
  ReplaySpec rs;
  rs.file = out / p1->scenario;
  EXPECT_EQ(replay(rs).exit_code, 1);
  rs.model_options = {"initiator_choice_restricted_to_profile=on"};
  const ReplayResult holds = replay(rs);
  EXPECT_EQ(holds.exit_code, 0) << holds.text;
  // The report writers get the journal's counterexample record (its IOS files).
  const reports::Run run = load_run(out);
  EXPECT_TRUE(run.journal.present);
  EXPECT_EQ(run.journal.scenario_lines, 1500u);
  ASSERT_FALSE(run.counterexamples.empty());
  EXPECT_EQ(run.counterexamples.front().ios.size(), 2u);
  fs::remove_all(out);
}

TEST(Campaign, ResumeEndsWithTheSummaryOfOneRun) {
  const fs::path whole = scratch("whole"), parts = scratch("parts");
  const CampaignResult one = run_campaign(model_spec(whole, 1200));
  ASSERT_EQ(one.exit_code, 0);
  ASSERT_EQ(run_campaign(model_spec(parts, 500)).exit_code, 0);  // a first session that did part of it
  CampaignSpec rest = model_spec(parts, 1200);
  rest.resume = true;
  const CampaignResult resumed = run_campaign(rest);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.error;
  EXPECT_EQ(resumed.summary["scenarios"], one.summary["scenarios"]);
  EXPECT_EQ(resumed.summary["oracles"], one.summary["oracles"]);
  const JournalState st = read_journal(parts / "journal.jsonl");
  EXPECT_EQ(st.resumes, 1u);
  EXPECT_EQ(st.scenarios, 1200u);
  // Another campaign's journal is not resumed.
  rest.seed = 4;
  EXPECT_THROW(run_campaign(rest), InputError);
  fs::remove_all(whole);
  fs::remove_all(parts);
}

TEST(Campaign, MergedShardsEqualOneRun) {
  const fs::path whole = scratch("m-whole"), s1 = scratch("m-s1"), s2 = scratch("m-s2"), merged = scratch("m-merged");
  CampaignSpec spec = model_spec(whole, 1000, 9);
  spec.model_options = {"initiator_choice_restricted_to_profile=off"};
  spec.max_counterexamples = 1;
  const CampaignResult one = run_campaign(spec);
  spec.out = s1;
  spec.shard = "1/2";
  run_campaign(spec);
  spec.out = s2;
  spec.shard = "2/2";
  run_campaign(spec);
  const MergeResult m = merge(merged, {s1, s2});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_EQ(m.shards, 2u);
  EXPECT_EQ(m.scenarios, 1000u);
  EXPECT_EQ(counts(m.summary), counts(one.summary));
  const JournalState st = read_journal(merged / "journal.jsonl");
  for (std::uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(st.done.contains(i)) << i;
  for (const auto& c : st.counterexamples) EXPECT_TRUE(fs::exists(merged / c.scenario)) << c.scenario;
  // A shard given twice is refused.
  EXPECT_THROW(merge(scratch("m-twice"), {s1, s1}), InputError);
  for (const auto& d : {whole, s1, s2, merged, scratch("m-twice")}) fs::remove_all(d);
}

// ---- the journal's lines ----

std::string header(const std::string& schema = kJournalSchema) {
  CampaignConfig c;
  c.runs = 100;
  c.oracles = {"P-1", "P-3"};
  nlohmann::ordered_json h = header_json(c);
  h["schema"] = schema;
  return h.dump() + "\n";
}

TEST(Journal, PassedCheckpointRoundTrips) {
  const fs::path dir = scratch("roundtrip");
  fs::create_directories(dir);
  PassedBatch b(2, 3);  // shard k/3: every third index
  for (std::uint64_t i : {0u, 3u, 6u, 9u, 15u, 18u}) {
    b.add(i);
    b.verdict(0, i == 3);
    b.verdict(1, false);
  }
  EXPECT_EQ(b.line(1.5), R"({"type":"passed","step":3,"ranges":[[0,9],[15,18]],"pass":[5,6],"skip":[1,0],"t":1.500})"
                         "\n");
  write_file_atomic(dir / "journal.jsonl", header() + b.line(1.5) + end_line(6, 6, 2.0, false));
  const JournalState st = read_journal(dir / "journal.jsonl");
  EXPECT_EQ(st.scenarios, 6u);
  EXPECT_EQ(st.tally.at("P-1").pass, 5u);
  EXPECT_EQ(st.tally.at("P-1").skip, 1u);
  EXPECT_EQ(st.tally.at("P-3").pass, 6u);
  for (std::uint64_t i = 0; i < 24; ++i) EXPECT_EQ(st.done.contains(i), i % 3 == 0 && i != 12 && i <= 18) << i;
  EXPECT_DOUBLE_EQ(st.total_elapsed(), 2.0);
  fs::remove_all(dir);
}

TEST(Journal, BadLinesAreNamedWithFileAndLine) {
  const fs::path dir = scratch("bad");
  fs::create_directories(dir);
  const fs::path file = dir / "journal.jsonl";
  auto error_of = [&](const std::string& text) {
    write_file_atomic(file, text);
    try {
      read_journal(file);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string f = file.string();
  EXPECT_EQ(error_of(header() + R"({"type":"passed","step":1,"ranges":[[0,4]],"pass":[5],"skip":[0]})"
                                "\n"),
            f + ":2: pass / skip: expected one count per oracle of the header (2)");
  EXPECT_EQ(error_of(header() + R"({"type":"passed","step":2,"ranges":[[0,3]],"pass":[2,2],"skip":[0,0]})"
                                "\n"),
            f + ":2: ranges: [0, 3] is not a run of step 2");
  EXPECT_EQ(error_of(header() + R"({"type":"passed","step":1,"ranges":[[0,3]],"pass":[4,3],"skip":[0,0]})"
                                "\n"),
            f + ":2: P-3: 3 passed + 0 skipped, but the ranges hold 4 scenarios");
  EXPECT_EQ(error_of(header() + "{\"type\":\"what\"}\n"), f + ":2: unknown journal line type 'what'");
  EXPECT_EQ(error_of(header(kJournalSchemaV1) + R"({"type":"passed","step":1,"ranges":[],"pass":[0,0],"skip":[0,0]})"
                                                "\n"),
            f + ":2: a \"passed\" line in an ikeconform.journal/1 journal");
  EXPECT_NE(error_of("{\"type\":\"header\",\"schema\":\"ikeconform.journal/9\"}\n")
                .find(f + ":1: not an ikeconform.journal/2 journal"),
            std::string::npos);
  fs::remove_all(dir);
}

// journal/1 (a full line per scenario) is still read by report, diff and merge; resuming one is
// refused with file:1 (exit 2 through the CLI).
TEST(Journal, VersionOneIsReadButNotResumed) {
  const fs::path dir = scratch("v1");
  fs::create_directories(dir);
  CampaignConfig c;
  c.runs = 2;
  c.oracles = {"P-1", "P-3"};
  c.options = describe(ModelOptions{});
  nlohmann::ordered_json h = header_json(c);
  h["schema"] = kJournalSchemaV1;
  write_file_atomic(
      dir / "journal.jsonl",
      h.dump() + "\n" +
          R"({"type":"scenario","index":0,"class":"mixed","ike_version":1,"cas":2,"up":[true,true],"results":{"P-1":"pass","P-3":"skip"},"t":0.1})"
          "\n"
          R"({"type":"scenario","index":1,"class":"mixed","ike_version":1,"cas":2,"up":[true,true],"results":{"P-1":"pass","P-3":"pass"},"t":0.2})"
          "\n" +
          end_line(2, 2, 0.3, true));
  const JournalState st = read_journal(dir / "journal.jsonl");
  EXPECT_EQ(st.version, 1);
  EXPECT_EQ(st.scenarios, 2u);
  EXPECT_EQ(st.tally.at("P-3").skip, 1u);
  const reports::Summary s = load_summary(dir);  // no summary.json: rebuilt from the journal
  EXPECT_TRUE(s.rebuilt_from_journal);
  EXPECT_EQ(s.scenarios, 2u);
  CampaignSpec spec = model_spec(dir, 2);
  spec.oracles = {"P-1", "P-3"};
  spec.resume = true;
  spec.jobs = 1;
  try {
    run_campaign(spec);
    FAIL() << "a journal/1 was resumed";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1);
    EXPECT_NE(std::string(e.what()).find("cannot be resumed"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

// IndexSet against a std::set: any runs of any step, any order.
RC_GTEST_PROP(Journal, IndexSetHoldsExactlyItsRuns, ()) {
  IndexSet set;
  std::set<std::uint64_t> want;
  const auto runs = *rc::gen::container<std::vector<std::tuple<std::uint8_t, std::uint8_t, std::uint8_t>>>(
      rc::gen::arbitrary<std::tuple<std::uint8_t, std::uint8_t, std::uint8_t>>());
  for (const auto& [first, len, step] : runs) {
    const std::uint64_t st = step % 4 + 1, n = len % 8;
    set.add_range(first, first + n * st, st);
    for (std::uint64_t k = 0; k <= n; ++k) want.insert(first + k * st);
  }
  for (std::uint64_t i = 0; i < 300; ++i) RC_ASSERT(set.contains(i) == (want.count(i) > 0));
}

// ---- the one atomic writer ----

TEST(Files, AtomicWriteReplacesWholeAndKeepsTheMode) {
  const fs::path dir = scratch("atomic");
  fs::create_directories(dir);
  write_file_atomic(dir / "a.txt", "first");
  write_file_atomic(dir / "a.txt", "second");
  EXPECT_EQ(slurp(dir / "a.txt"), "second");
  write_file_atomic(dir / "key.pem", "secret", 0600);
  struct stat sb {};
  ASSERT_EQ(::stat((dir / "key.pem").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);  // no temporary left
  EXPECT_THROW(write_file_atomic(dir / "missing/b.txt", "x"), InputError);
  EXPECT_THROW(write_file_atomic(dir, "x"), InputError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ikeconform::campaign
