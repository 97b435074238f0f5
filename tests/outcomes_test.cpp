// Outcomes that are not oracle verdicts (no root): infrastructure errors -- journaled as
// `infrastructure_error`, read back, counted apart in summary.json, JUnit (<error>, never
// <failure>) and HTML -- and the known-divergence file (reports/known_divergences.hpp): its
// parser (file:line errors), its matcher, and a campaign on bin/ikeconform-adapter-model whose
// DIFF-MODEL failures an entry explains (expected deviations) or does not (failures).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "campaign/campaign.hpp"
#include "campaign/journal.hpp"
#include "campaign/run_folder.hpp"
#include "cli_process.hpp"  // scratch_path, slurp
#include "model/files.hpp"
#include "model/input_error.hpp"
#include "reports/html.hpp"
#include "reports/junit.hpp"
#include "reports/known_divergences.hpp"

namespace ikeconform {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path scratch(const std::string& name) {
  fs::path p = testing::scratch_path("ikeconform-outcomes-test", name);
  fs::create_directories(p);
  return p;
}

using testing::slurp;

std::string header() {
  campaign::CampaignConfig c;
  c.target = "strongswan";
  c.runs = 4;
  c.oracles = {"CERTREQ-ANCHORS", "DIFF-MODEL"};
  return campaign::header_json(c).dump() + "\n";
}

// ---- infrastructure errors ----------------------------------------------------------------------

// A journal as a real campaign writes it: one judged scenario, one infrastructure error (and one
// in the name journal/2 used before the rename), one expected deviation.
std::string infrastructure_journal() {
  return header() +
         R"({"type":"known_divergences","file":"kd.json","entries":[{"id":"kd-1","target":"strongswan","oracle":"DIFF-MODEL","what":"reason differs","why":"cannot be modeled","evidence":["R2: [IKE] line"]}]})"
         "\n"
         R"({"type":"scenario","index":0,"class":"any","ike_version":1,"cas":1,"up":[true,true],"results":{"CERTREQ-ANCHORS":"pass","DIFF-MODEL":"pass"}})"
         "\n"
         R"({"type":"scenario","index":1,"class":"any","ike_version":1,"cas":1,"up":[false,false],"infrastructure_error":"R1 -> R2: R2 never answered","error_file":"errors/scenario-1.json","results":{"CERTREQ-ANCHORS":"skip","DIFF-MODEL":"skip"}})"
         "\n"
         R"({"type":"scenario","index":2,"class":"any","ike_version":2,"cas":1,"up":[false,false],"error":"harness: daemon died","error_file":"errors/scenario-2.json","results":{"CERTREQ-ANCHORS":"skip","DIFF-MODEL":"skip"}})"
         "\n"
         R"({"type":"scenario","index":3,"class":"any","ike_version":1,"cas":1,"up":[false,false],"results":{"CERTREQ-ANCHORS":"pass","DIFF-MODEL":"expected_deviation"},"expected_deviations":{"DIFF-MODEL":["kd-1"]}})"
         "\n"
         R"({"type":"end","scenarios":4,"session_scenarios":4,"elapsed_s":2.0,"interrupted":false})"
         "\n";
}

TEST(InfrastructureError, JournalRoundTripsAndCountsApart) {
  const fs::path dir = scratch("journal");
  write_file_atomic(dir / "journal.jsonl", infrastructure_journal());
  const campaign::JournalState st = campaign::read_journal(dir / "journal.jsonl");
  EXPECT_EQ(st.scenarios, 4U);
  EXPECT_EQ(st.infrastructure_errors, 2U);
  EXPECT_EQ(st.infrastructure_error_files,
            (std::vector<std::string>{"errors/scenario-1.json", "errors/scenario-2.json"}));
  EXPECT_FALSE(st.any_failure()) << "an infrastructure error or an expected deviation is never a failure";
  const campaign::OracleTally& diff = st.tally.at("DIFF-MODEL");
  EXPECT_EQ(diff.pass, 1U);
  EXPECT_EQ(diff.fail, 0U);
  EXPECT_EQ(diff.expected, 1U);
  EXPECT_EQ(diff.skip, 2U);
  ASSERT_EQ(st.known.size(), 1U);
  EXPECT_EQ(st.known[0].entry.why, "cannot be modeled");
  EXPECT_EQ(st.known[0].matched, 1U);
  EXPECT_EQ(st.known[0].scenarios, std::vector<std::uint64_t>{3});

  const auto s = campaign::summary_json(st, campaign::BaselineCheck{});
  EXPECT_EQ(s["infrastructure_errors"], 2);
  EXPECT_EQ(s["infrastructure_error_files"].size(), 2U);
  EXPECT_EQ(s["expected_deviations"], 1);
  EXPECT_EQ(s["known_divergences"][0]["id"], "kd-1");
  EXPECT_EQ(s["known_divergences"][0]["matched"], 1);
  for (const auto& o : s["oracles"])
    if (o["id"] == "DIFF-MODEL") {
      EXPECT_EQ(o["status"], "expected_deviation");
      EXPECT_EQ(o["failed"], 0);
      EXPECT_EQ(o["checked"], 2);
      EXPECT_EQ(o["expected_deviations"], 1);
    }
  fs::remove_all(dir);
}

TEST(InfrastructureError, ErrorFileMustStayInsideTheRunFolder) {
  const fs::path dir = scratch("escape");
  write_file_atomic(
      dir / "journal.jsonl",
      header() + R"({"type":"scenario","index":0,"infrastructure_error":"x","error_file":"../x.json","results":{}})"
                 "\n");
  try {
    campaign::read_journal(dir / "journal.jsonl");
    ADD_FAILURE() << "accepted an error_file outside the run folder";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "journal.jsonl").string() + ":2: error_file: path must stay inside the run folder");
  }
  fs::remove_all(dir);
}

TEST(InfrastructureError, ReportsCountThemAsErrorsNotFailures) {
  const fs::path dir = scratch("reports");
  write_file_atomic(dir / "journal.jsonl", infrastructure_journal());
  const campaign::JournalState st = campaign::read_journal(dir / "journal.jsonl");
  write_file_atomic(dir / "summary.json", campaign::summary_json(st, campaign::BaselineCheck{}).dump(2) + "\n");
  const reports::Run run = campaign::load_run(dir);
  EXPECT_EQ(run.summary.infrastructure_errors, 2U);
  EXPECT_EQ(run.summary.expected_deviations, 1U);

  const std::string junit = reports::render_junit(run);
  EXPECT_NE(junit.find("errors=\"2\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("failures=\"0\""), std::string::npos) << junit;
  EXPECT_EQ(junit.find("<failure"), std::string::npos) << junit;
  EXPECT_NE(junit.find("<error type=\"infrastructure_error\" message=\"infrastructure error: evidence in "
                       "errors/scenario-1.json\""),
            std::string::npos)
      << junit;
  // The expected deviation: a skipped testcase with the entry's why.
  EXPECT_NE(junit.find("expected deviation (known divergence kd-1): reason differs in 1 scenario failures: cannot "
                       "be modeled"),
            std::string::npos)
      << junit;

  const std::string html = reports::render_html(run);
  EXPECT_NE(html.find("<th>Infrastructure errors</th><td>2 scenarios"), std::string::npos);
  EXPECT_NE(html.find("href=\"errors/scenario-2.json\""), std::string::npos);
  EXPECT_NE(html.find("<th>Known divergences</th><td><code>kd.json</code>: 1 entry"), std::string::npos);
  EXPECT_NE(html.find("id=\"deviations\""), std::string::npos);
  EXPECT_NE(html.find("cannot be modeled"), std::string::npos);
  EXPECT_EQ(html.find("FAILED"), std::string::npos) << "no oracle failed";
  fs::remove_all(dir);
}

// ---- the known-divergence file ------------------------------------------------------------------

std::string error_of(const std::string& text) {
  try {
    reports::parse_known_divergences(text, "kd.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

const char* kEntry = R"({
  "schema": "ikeconform.known-divergences/1",
  "entries": [
    {
      "id": "ss-reason",
      "target": "strongswan",
      "oracle": "DIFF-MODEL",
      "match": {"ike_version": 1, "field": "reason", "expected": "AUTH_METHOD_MISMATCH"},
      "what": "w",
      "why": "y",
      "evidence": ["R2: [IKE] no shared key found"]
    }
  ]
}
)";

TEST(KnownDivergences, ShippedFileLoads) {
  const reports::KnownDivergences k = reports::shipped_known_divergences();
  EXPECT_EQ(k.file, "corpus/known-divergences.json (built in)");
  EXPECT_EQ(reports::shipped_known_divergences_text(), slurp(fs::path(IKECONFORM_SOURCE_DIR) / "corpus/"
                                                                                               "known-divergences."
                                                                                               "json"))
      << "the binary carries the shipped file as it is in the tree";
  for (const auto& e : k.entries) EXPECT_FALSE(e.evidence.empty()) << e.id;
}

TEST(KnownDivergences, BadFilesAreNamedWithFileAndLine) {
  EXPECT_EQ(error_of("{"),
            "kd.json:1: invalid JSON: syntax error while parsing object key - unexpected end of input; "
            "expected string literal");
  EXPECT_EQ(error_of(R"({"schema":"x","entries":[]})"),
            "kd.json:1: schema: expected 'ikeconform.known-divergences/1', found 'x'");
  std::string no_evidence = kEntry;
  no_evidence.replace(no_evidence.find(R"(["R2: [IKE] no shared key found"])"), 33, "[]");
  EXPECT_EQ(error_of(no_evidence),
            "kd.json:11: entries.0.evidence: a non-empty list of log lines and upstream source references is required");
  std::string bad_field = kEntry;
  bad_field.replace(bad_field.find("\"reason\""), 8, "\"colour\"");
  EXPECT_NE(error_of(bad_field).find("kd.json:8: entries.0.match.field: unknown field 'colour'"), std::string::npos)
      << error_of(bad_field);
  std::string typo = kEntry;
  typo.replace(typo.find("\"expected\""), 10, "\"expectd\"");
  EXPECT_NE(error_of(typo).find("kd.json:8: entries.0.match.expectd: unknown key 'expectd'"), std::string::npos)
      << error_of(typo);
  std::string twice = kEntry;
  const std::size_t a = twice.find("    {"), b = twice.find("    }") + 5;
  twice.insert(b, ",\n" + twice.substr(a, b - a));
  EXPECT_NE(error_of(twice).find("entries.1.id: duplicate id 'ss-reason'"), std::string::npos) << error_of(twice);
}

TEST(KnownDivergences, EveryDifferenceMustBeExplained) {
  const reports::KnownDivergences k = reports::parse_known_divergences(kEntry, "kd.json");
  ASSERT_EQ(k.entries.size(), 1U);
  EXPECT_EQ(k.entries[0].line, 4);
  std::vector<ObservationDiff> d{{"reason", "AUTH_METHOD_MISMATCH", "CERT_VALIDATION_FAILED"}};
  reports::DivergenceQuery q{"strongswan", "DIFF-MODEL", 1, "reason", "R1 -> R2 ...", &d};
  ASSERT_EQ(reports::explain(k, q).size(), 1U);
  q.ike_version = 2;  // the entry is about IKEv1
  EXPECT_TRUE(reports::explain(k, q).empty());
  q.ike_version = 1;
  q.target = "libreswan";
  EXPECT_TRUE(reports::explain(k, q).empty());
  q.target = "strongswan";
  q.oracle = "DIFF-STACKS";
  EXPECT_TRUE(reports::explain(k, q).empty());
  q.oracle = "DIFF-MODEL";
  d.push_back({"failed_at", "MM3", "MM5"});  // a second difference no entry explains: still a failure
  EXPECT_TRUE(reports::explain(k, q).empty());
  d = {{"reason", "NO_MATCHING_PROFILE", "CERT_VALIDATION_FAILED"}};  // another expected value
  EXPECT_TRUE(reports::explain(k, q).empty());
}

// A campaign on the model adapter run with another CERT_REQ order (ca_only_order) than the
// harness predicts: DIFF-MODEL fails. A file whose entries name every field explains each failure
// (expected deviations, exit 0, nothing shrunk); one naming only a field that never differs
// explains none (the same failures as without a file). A bad file: exit 2 before anything runs.
campaign::CampaignSpec adapter_campaign(const fs::path& out, const fs::path& known) {
  campaign::CampaignSpec s;
  s.target = std::string("exec:") + IKECONFORM_ADAPTER_MODEL;
  s.adapter_args = {"--model-option", "ca_only_order=authenticate"};
  s.oracles = {"DIFF-MODEL"};
  s.runs = 40;
  s.seed = 5;
  s.scenario_class = "any";
  s.max_counterexamples = 1;
  s.shrink_steps = 5;
  s.progress = false;
  s.out = out;
  s.known_divergences = known;
  return s;
}

std::string entries_for(const std::string& target, const std::vector<std::string>& fields) {
  json j = {{"schema", reports::kKnownDivergencesSchema}, {"entries", json::array()}};
  for (const std::string& f : fields)
    j["entries"].push_back({{"id", "all-" + f},
                            {"target", target},
                            {"oracle", "DIFF-MODEL"},
                            {"match", {{"field", f}}},
                            {"what", f + " differs"},
                            {"why", "the adapter runs another ca_only_order"},
                            {"evidence", {"ikeconform-adapter-model --model-option ca_only_order=authenticate"}}});
  return j.dump(2) + "\n";
}

std::uint64_t diff_model(const json& summary, const char* key) {
  for (const auto& o : summary["oracles"])
    if (o["id"] == "DIFF-MODEL") return o.value(key, std::uint64_t{0});
  return 0;
}

TEST(KnownDivergences, MatchingFailuresAreExpectedDeviationsOthersStayFailures) {
  const fs::path dir = scratch("campaign");
  const std::string target = std::string("exec:") + IKECONFORM_ADAPTER_MODEL;
  write_file_atomic(dir / "none.json", entries_for(target, {"initiator"}));
  write_file_atomic(dir / "all.json",
                    entries_for(target, {"initiator", "ike_sa", "child_sa", "failed_at", "reason",
                                         "initiator_trustpoint", "responder_trustpoint", "responder_profile",
                                         "certreq_from_initiator", "certreq_from_responder"}));
  const campaign::CampaignResult plain = campaign::run_campaign(adapter_campaign(dir / "plain", dir / "none.json"));
  const std::uint64_t failures = diff_model(plain.summary, "failed");
  ASSERT_GT(failures, 0U) << "the planted difference must show: " << plain.summary.dump(2);
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_EQ(plain.summary["expected_deviations"], 0);
  EXPECT_EQ(plain.summary["known_divergences"].size(), 1U) << "the file is loaded and shown";

  const campaign::CampaignResult known = campaign::run_campaign(adapter_campaign(dir / "known", dir / "all.json"));
  EXPECT_EQ(known.exit_code, 0) << known.summary.dump(2);
  EXPECT_EQ(diff_model(known.summary, "failed"), 0U);
  EXPECT_EQ(diff_model(known.summary, "expected_deviations"), failures);
  EXPECT_EQ(known.summary["expected_deviations"].get<std::uint64_t>(), failures);
  EXPECT_EQ(known.summary["known_divergences_file"], (dir / "all.json").string());
  std::uint64_t matched = 0;
  for (const auto& k : known.summary["known_divergences"]) matched += k["matched"].get<std::uint64_t>();
  EXPECT_GE(matched, failures);
  EXPECT_TRUE(fs::is_empty(dir / "known" / "counterexamples")) << "an expected deviation is not shrunk or saved";
  const std::string journal = slurp(dir / "known" / "journal.jsonl");
  EXPECT_NE(journal.find(R"("DIFF-MODEL":"expected_deviation")"), std::string::npos);
  EXPECT_NE(journal.find(R"("expected_deviations":{"DIFF-MODEL":["all-)"), std::string::npos);
  EXPECT_NE(slurp(dir / "known" / "report.html").find("id=\"deviations\""), std::string::npos);
  EXPECT_NE(slurp(dir / "known" / "junit.xml").find("expected deviation (known divergence all-"), std::string::npos);

  write_file_atomic(dir / "bad.json", "{\"schema\": \"ikeconform.known-divergences/1\",\n \"entries\": 3}\n");
  try {
    campaign::run_campaign(adapter_campaign(dir / "bad", dir / "bad.json"));
    ADD_FAILURE() << "a bad known-divergence file was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              (dir / "bad.json").string() + ":2: entries: a list of entries is required (it may be empty)");
  }
  EXPECT_FALSE(fs::exists(dir / "bad" / "journal.jsonl")) << "nothing is written for a bad file";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ikeconform
