// The report writers on a fake run folder made with the real model (corpus S1, R2 -> R1 fails
// at MM5): self-contained HTML with the SVG ladder and escaped hostile strings, JUnit that
// parses and counts right, diff semantics, file:line errors and no partial files.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <regex>

#include "campaign/run_folder.hpp"
#include "model/input_error.hpp"
#include "reports/escape.hpp"
#include "reports/html.hpp"
#include "reports/junit.hpp"
#include "reports/ladder_svg.hpp"
#include "reports/reports.hpp"
#include "tests/reports_support.hpp"

namespace ikeconform::testing {
namespace {

// A run folder is read through the campaign library (the journal's one reader) and rendered here.
using campaign::load_run;
using campaign::write_reports;

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// Every <svg>...</svg> of the page, for the XML checks.
std::vector<std::string> svgs(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t b = html.find("<svg"); b != std::string::npos; b = html.find("<svg", b + 1))
    out.push_back(html.substr(b, html.find("</svg>", b) + 6 - b));
  return out;
}

class ReportsTest : public ::testing::Test {
 protected:
  void SetUp() override { make_fake_run(dir()); }
  const fs::path& dir() const { return tmp_.path(); }
  std::string html() { return read_file(dir() / "report.html"); }
  std::string junit() { return read_file(dir() / "junit.xml"); }

 private:
  TempDir tmp_;
};

TEST_F(ReportsTest, HtmlIsSelfContained) {
  write_reports(dir());
  const std::string h = html();
  // Links may only point inside the page; nothing is fetched. Only real tags count: escaped
  // user text ("&lt;img src=x&gt;") has no '<'.
  const std::regex tag(R"(<[A-Za-z][^>]*>)");
  const std::regex ref(R"(\s(src|href|xlink:href|action|srcset|poster|data)\s*=\s*["']?([^"'\s>]*))",
                       std::regex::icase);
  std::size_t tags = 0;
  for (auto t = std::sregex_iterator(h.begin(), h.end(), tag); t != std::sregex_iterator(); ++t, ++tags) {
    const std::string text = (*t)[0];
    for (auto it = std::sregex_iterator(text.begin(), text.end(), ref); it != std::sregex_iterator(); ++it)
      EXPECT_EQ((*it)[2].str().rfind('#', 0), 0u) << "external reference: " << text;
  }
  EXPECT_GT(tags, 100u);
  EXPECT_EQ(count(h, "<script"), 0u);
  EXPECT_EQ(count(h, "url("), 0u);
  EXPECT_EQ(count(h, "@import"), 0u);
  EXPECT_EQ(count(h, "<link"), 0u);
  EXPECT_EQ(count(h, "<iframe"), 0u);
  EXPECT_NE(h.find("Content-Security-Policy"), std::string::npos);
  // "http://" only where the user's data says it (the CAs' enrollment URLs), as text.
  for (std::size_t p = h.find("http"); p != std::string::npos; p = h.find("http", p + 1))
    EXPECT_TRUE(h.compare(p, 20, "http://192.168.0.3:8") == 0 || h.compare(p, 20, "http://192.168.0.4:8") == 0 ||
                h.compare(p, 10, "http-equiv") == 0)
        << h.substr(p, 40);
}

TEST_F(ReportsTest, HtmlShowsTheClaimTheLadderAndWhy) {
  write_reports(dir());
  const std::string h = html();
  EXPECT_NE(h.find("<svg"), std::string::npos);
  EXPECT_NE(h.find("Symmetric trustpoints always succeed"), std::string::npos);
  // The decisive step sentence of the failing direction (model/ladder.hpp).
  EXPECT_NE(h.find("validates against IOSCA1 only (profile prof1)"), std::string::npos);
  EXPECT_NE(h.find("R2 \u2192 R1: DOWN at MM5 (CERT_VALIDATION_FAILED)"), std::string::npos);
  // The failing step is drawn red and marked, and it is MM5.
  const std::vector<std::string> pictures = svgs(h);
  ASSERT_EQ(pictures.size(), 1u);
  const std::string& svg = pictures[0];
  EXPECT_NE(svg.find("fill=\"#fdecea\""), std::string::npos);
  EXPECT_NE(svg.find("&#x2717; MM5</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "&#x2717; MM"), 1u);
  for (const char* m : {">MM1<", ">MM2<", ">MM3<", ">MM4<"}) EXPECT_NE(svg.find(m), std::string::npos) << m;
  EXPECT_EQ(svg.find(">MM6<"), std::string::npos);  // the ladder stops where it broke
  EXPECT_NE(svg.find("R2 chooses IOSCA2 (first match, V1-5/V1-6)"), std::string::npos);
  EXPECT_NE(svg.find("KE NONCE CERT_REQ x7"), std::string::npos);
  // The matrix names the statuses; the IOS configurations and the trace are there.
  for (const char* s : {">FAIL<", ">PASS<", ">EXPECTED DEVIATION<", ">NOT CHECKED<"})
    EXPECT_NE(h.find(s), std::string::npos) << s;
  EXPECT_NE(h.find("ca trust-point IOSCA1"), std::string::npos);
  EXPECT_NE(h.find("match identity host R1.cisco.com"), std::string::npos);
  EXPECT_NE(h.find("Trace of R2 \u2192 R1"), std::string::npos);
  EXPECT_NE(h.find("%CRYPTO-5-IKMP_INVAL_CERT"), std::string::npos);
  EXPECT_NE(h.find("href=\"#ce-1\""), std::string::npos);
  EXPECT_NE(h.find("id=\"ce-1\""), std::string::npos);
}

TEST_F(ReportsTest, HostileStringsAreEscapedEverywhere) {
  write_reports(dir());
  const std::string h = html();
  EXPECT_EQ(h.find("<script>"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_EQ(h.find("<b>not bold</b>"), std::string::npos);
  EXPECT_NE(h.find("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;co&#39;"), std::string::npos);
  EXPECT_NE(h.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(h.find("&lt;b&gt;not bold&lt;/b&gt; &amp; co"), std::string::npos);
  // The DN reaches the SVG ladder (CERT_REQ list) escaped.
  EXPECT_NE(svgs(h).at(0).find("cn=&lt;CA1&gt;&amp;co,o=cisco,o=com [IOSCA1]"), std::string::npos);
  const std::string j = junit();
  EXPECT_EQ(j.find("<img"), std::string::npos);
  EXPECT_NE(j.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST_F(ReportsTest, SvgLaddersAreWellFormedXml) {
  write_reports(dir());
  for (const std::string& svg : svgs(html())) {
    EXPECT_EQ(xml_problem(svg), "") << svg.substr(0, 300);
    if (have_program("xmllint")) {
      // Inline SVG in HTML needs no namespace; a standalone check does.
      std::string standalone = svg;
      standalone.replace(0, 4, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
      write_file(dir() / "ladder.svg", standalone);
      EXPECT_EQ(run_command("xmllint --noout '" + (dir() / "ladder.svg").string() + "'"), 0);
    }
  }
}

TEST_F(ReportsTest, JunitParsesAndCounts) {
  write_reports(dir());
  const std::string j = junit();
  EXPECT_EQ(xml_problem(j), "");
  EXPECT_NE(j.find("<testsuites name=\"ikeconform campaign\" tests=\"4\" failures=\"1\" errors=\"0\" time=\"0.250\">"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("<testsuite name=\"ikeconform.model\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"2\" "
                   "time=\"0.250\">"),
            std::string::npos);
  EXPECT_EQ(count(j, "<testcase "), 4u);
  EXPECT_EQ(count(j, "<failure "), 1u);
  EXPECT_EQ(count(j, "<skipped "), 2u);
  EXPECT_NE(j.find("<testcase name=\"P-1\" classname=\"ikeconform.model\">"), std::string::npos);
  EXPECT_NE(j.find("message=\"P-1 failed in 1 of 40 scenarios: R2 -&gt; R1 failed at MM5"), std::string::npos);
  EXPECT_NE(j.find("counterexamples/P-1-1.json"), std::string::npos);
  EXPECT_NE(j.find("<skipped message=\"expected deviation: failed in 3 of 10 scenarios, as the baseline expects\"/>"),
            std::string::npos);
  EXPECT_NE(j.find("<property name=\"seed\" value=\"7\"/>"), std::string::npos);
  EXPECT_NE(j.find("<property name=\"shard\" value=\"1/2\"/>"), std::string::npos);
  if (!have_program("xmllint")) {
    std::cerr << "NOTE: xmllint not installed (libxml2-utils): JUnit checked with the built-in well-formedness checker "
                 "only\n";
    return;
  }
  const std::string file = (dir() / "junit.xml").string();
  EXPECT_EQ(run_command("xmllint --noout '" + file + "'"), 0);
  EXPECT_EQ(run_command("xmllint --noout --schema '" IKECONFORM_SOURCE_DIR "/tests/data/junit.xsd' '" + file +
                        "' 2>/dev/null"),
            0);
}

TEST_F(ReportsTest, ReportsAreWrittenAtomicallyAndOnlyWhereAsked) {
  const fs::path other = dir() / "elsewhere";
  fs::create_directories(other);
  reports::ReportOptions opt;
  opt.html = other / "r.html";
  opt.junit = other / "j.xml";
  write_reports(dir(), opt);
  EXPECT_TRUE(fs::exists(other / "r.html"));
  EXPECT_TRUE(fs::exists(other / "j.xml"));
  EXPECT_FALSE(fs::exists(dir() / "report.html"));
  for (const auto& e : fs::directory_iterator(other))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
  opt.html = dir() / "no-such-folder" / "r.html";
  EXPECT_THROW(write_reports(dir(), opt), InputError);
  EXPECT_FALSE(fs::exists(dir() / "no-such-folder"));
}

TEST_F(ReportsTest, BadInputIsFileLineAndWritesNothing) {
  write_file(dir() / "report.html", "old");
  // A syntax error on line 3 of summary.json.
  write_file(dir() / "summary.json", "{\n  \"schema\": \"ikeconform.summary/1\",\n  \"oracles\": [,]\n}\n");
  try {
    write_reports(dir());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind((dir() / "summary.json").string() + ":3: invalid JSON", 0), 0u) << e.what();
  }
  EXPECT_EQ(read_file(dir() / "report.html"), "old");
  EXPECT_FALSE(fs::exists(dir() / "junit.xml"));
  // A wrong type names its line.
  write_file(dir() / "summary.json",
             "{\n  \"schema\": \"ikeconform.summary/1\",\n  \"oracles\": [\n    {\"id\": \"P-1\",\n     \"checked\": "
             "\"many\"}\n  ]\n}\n");
  try {
    write_reports(dir());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 5) << e.what();
    EXPECT_NE(std::string(e.what()).find("oracles.0.checked: expected a non-negative integer"), std::string::npos)
        << e.what();
  }
  // A counterexample path that leaves the run folder.
  write_file(dir() / "summary.json",
             "{\"schema\": \"ikeconform.summary/1\", \"oracles\": [{\"id\": \"P-1\", \"counterexamples\": "
             "[\"../../etc/passwd\"]}]}\n");
  EXPECT_THROW(write_reports(dir()), InputError);
  EXPECT_EQ(read_file(dir() / "report.html"), "old");
}

TEST_F(ReportsTest, MissingCounterexampleFileIsNamed) {
  fs::remove(dir() / "counterexamples/P-1-1.observations.json");
  try {
    write_reports(dir());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), (dir() / "counterexamples/P-1-1.observations.json").string() + ": no such file");
  }
  EXPECT_FALSE(fs::exists(dir() / "report.html"));
}

TEST_F(ReportsTest, KilledCampaignIsRebuiltFromTheJournal) {
  fs::remove(dir() / "summary.json");
  write_file(dir() / "journal.jsonl", read_file(dir() / "journal.jsonl") + "{\"type\":\"scen");  // torn last line
  const reports::Run run = load_run(dir());
  EXPECT_TRUE(run.summary.rebuilt_from_journal);
  EXPECT_TRUE(run.journal.torn_last_line);
  ASSERT_EQ(run.summary.oracles.size(), 4u);
  EXPECT_EQ(run.summary.oracles[0].status, reports::Status::Failed);
  EXPECT_EQ(run.summary.oracles[1].status, reports::Status::NotChecked);
  ASSERT_EQ(run.counterexamples.size(), 1u);
  EXPECT_EQ(run.counterexamples[0].ios.size(), 2u);
  write_reports(dir());
  EXPECT_NE(html().find("rebuilt from journal.jsonl"), std::string::npos);
}

TEST_F(ReportsTest, BadJournalLineIsNamed) {
  const std::string journal = read_file(dir() / "journal.jsonl");
  const std::size_t header_end = journal.find('\n') + 1;
  write_file(dir() / "journal.jsonl", journal.substr(0, header_end) + "{oops\n" + journal.substr(header_end));
  try {
    load_run(dir());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2) << e.what();
  }
}

TEST_F(ReportsTest, FuzzSectionRendersTheTable) {
  write_file(dir() / "fuzz-report.json", R"({"schema": "ikeconform.fuzz-report/1", "targets": [
    {"name": "fuzz_scenario_json", "exec_per_s": 2150.5, "features": 3301, "coverage": 812, "new_corpus": 12,
     "crashes": [{"kind": "crash", "artifact": "crash-3f2a", "summary": "heap-buffer-overflow <x>",
                  "reproducer": "build-fuzz/bin/fuzz_scenario_json crash-3f2a"}]},
    {"name": "fuzz_ikev2_wire"}]})");
  reports::ReportOptions opt;
  opt.fuzz_report = dir() / "fuzz-report.json";
  write_reports(dir(), opt);
  const std::string h = html();
  EXPECT_NE(h.find("id=\"fuzzing\""), std::string::npos);
  EXPECT_NE(h.find("fuzz_scenario_json</b></td><td>2150.5</td>"), std::string::npos);
  EXPECT_NE(h.find("3,301"), std::string::npos);
  EXPECT_NE(h.find("build-fuzz/bin/fuzz_scenario_json crash-3f2a"), std::string::npos);
  EXPECT_NE(h.find("heap-buffer-overflow &lt;x&gt;"), std::string::npos);
  write_file(dir() / "fuzz-report.json", R"({"schema": "ikeconform.fuzz-report/1", "targets": [{"exec_per_s": 1}]})");
  EXPECT_THROW(write_reports(dir(), opt), InputError);
}

// Edits the counterexample's observations file of the fake run.
void edit_observations(const fs::path& dir, const std::function<void(nlohmann::ordered_json&)>& edit) {
  const fs::path p = dir / "counterexamples/P-1-1.observations.json";
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(read_file(p));
  edit(j);
  write_file(p, j.dump(2));
}

TEST_F(ReportsTest, MetamorphicRelatedRunIsDrawnWhenItBroke) {
  edit_observations(dir(), [](nlohmann::ordered_json& j) {
    nlohmann::ordered_json rel;
    rel["relation"] = "reverse enrollment order of R1";
    rel["scenario"] = nlohmann::ordered_json::parse(read_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/"
                                                                                                   "s1.json"));
    rel["scenario"]["cas"][0]["dn"] = kHostileDn;
    rel["directions"] = j["directions"];
    j["related"] = nlohmann::ordered_json::array({rel});
    j["directions"][1] = j["directions"][0];  // the scenario itself came up both ways
    j["directions"][1]["initiator"] = "R2";
    j["directions"][1]["responder"] = "R1";
    j["directions"][1]["certreq_from_initiator"] = nlohmann::ordered_json::array();
    j["directions"][1]["certreq_from_responder"] = nlohmann::ordered_json::array();
    j["failing"] = {{"related", 0}, {"direction", 1}, {"at", nullptr}};
  });
  write_reports(dir());
  const std::string h = html();
  EXPECT_NE(h.find("related: reverse enrollment order of R1"), std::string::npos);
  EXPECT_NE(h.find("related run: reverse enrollment order of R1"), std::string::npos);
  EXPECT_NE(h.find("&#x2717; MM5</text>"), std::string::npos);
  edit_observations(dir(), [](nlohmann::ordered_json& j) { j["failing"]["related"] = 3; });
  EXPECT_THROW(write_reports(dir()), InputError);
}

TEST_F(ReportsTest, ClaimBreakingInATunnelThatCameUpIsMarked) {
  edit_observations(dir(), [](nlohmann::ordered_json& j) { j["failing"] = {{"direction", 0}, {"at", "MM4"}}; });
  write_reports(dir());
  const std::string svg = svgs(html()).at(0);
  EXPECT_NE(svg.find("&#x2717; MM4</text>"), std::string::npos);
  EXPECT_NE(svg.find("the claim breaks here (MM4)"), std::string::npos);
  EXPECT_NE(svg.find(">QM1<"), std::string::npos);  // R1 -> R2 came up: the whole ladder
  edit_observations(dir(), [](nlohmann::ordered_json& j) { j["failing"]["at"] = "MM9"; });
  EXPECT_THROW(write_reports(dir()), InputError);
}

// Renders the page in headless Chromium. The assertion is only that a screenshot comes out;
// whether it reads well is judged by a person (set IKECONFORM_SCREENSHOT_OUT=FILE to keep it).
TEST_F(ReportsTest, ScreenshotIsProduced) {
  std::string browser;
  for (const char* b : {"chromium", "chromium-browser", "google-chrome"})
    if (browser.empty() && have_program(b)) browser = b;
  if (browser.empty()) {
    std::cerr << "\n*** SKIPPED: no chromium installed (Debian package `chromium`): the HTML report was not rendered "
                 "***\n\n";
    GTEST_SKIP() << "chromium not installed";
  }
  write_reports(dir());
  const fs::path png = dir() / "report.png";
  const std::string cmd = "timeout 180 " + browser +
                          " --headless --no-sandbox --disable-gpu --disable-background-networking "
                          "--disable-component-update"
                          " --disable-sync --no-first-run --user-data-dir='" +
                          (dir() / "profile").string() + "' --screenshot='" + png.string() +
                          "' --window-size=1400,2000 'file://" + (dir() / "report.html").string() + "' >/dev/null 2>&1";
  EXPECT_EQ(run_command(cmd), 0) << cmd;
  ASSERT_TRUE(fs::exists(png)) << cmd;
  const std::string bytes = read_file(png);
  EXPECT_GT(bytes.size(), 10000u);
  EXPECT_EQ(bytes.substr(0, 4), "\x89PNG");
  if (const char* keep = std::getenv("IKECONFORM_SCREENSHOT_OUT"))
    fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
}

// ---- diff ----

TEST(ReportsDiff, PassToFailIsARegression) {
  TempDir before, after;
  make_fake_run(before.path());
  make_fake_run(after.path(), {.p2_fails = true});
  const auto d = reports::diff_summaries(reports::load_summary(before.path()), reports::load_summary(after.path()));
  EXPECT_TRUE(d.regression());
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].oracle, "P-2");
  EXPECT_EQ(d.entries[0].change, reports::Change::Regression);
  EXPECT_NE(reports::diff_text(d).find("REGRESSION  P-2 on model: passed -> failed (failed 0 of 30 -> failed 2 of 30)"),
            std::string::npos)
      << reports::diff_text(d);
  const auto back = reports::diff_summaries(reports::load_summary(after.path()), reports::load_summary(before.path()));
  EXPECT_FALSE(back.regression());
  ASSERT_EQ(back.entries.size(), 1u);
  EXPECT_EQ(back.entries[0].change, reports::Change::Fixed);
}

TEST(ReportsDiff, NewGoneCountsAndNoChange) {
  TempDir a;
  make_fake_run(a.path());
  reports::Summary s = reports::load_summary(a.path() / "summary.json");
  EXPECT_EQ(reports::diff_text(reports::diff_summaries(s, s)), "no changes (4 oracle results compared)\n");
  reports::Summary t = s;
  t.oracles.erase(t.oracles.begin() + 3);  // P-8 gone
  t.oracles[0].checked = 41;               // P-1 counts
  t.oracles.push_back(t.oracles[1]);       // P-2 on another target: new
  t.oracles.back().target = "strongswan";
  t.oracles[2].status = reports::Status::Failed;  // P-7: expected deviation -> failed
  const auto d = reports::diff_summaries(s, t);
  EXPECT_TRUE(d.regression());
  std::vector<reports::Change> kinds;
  for (const auto& e : d.entries) kinds.push_back(e.change);
  EXPECT_EQ(kinds, (std::vector<reports::Change>{reports::Change::Regression, reports::Change::New,
                                                 reports::Change::Gone, reports::Change::Counts}));
}

// ---- escaping ----

TEST(ReportsEscape, ControlBytesAndBadUtf8) {
  EXPECT_EQ(reports::xml_escape("a\x01"
                                "b"),
            "a\\x01b");
  EXPECT_EQ(reports::xml_escape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(reports::xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(reports::xml_escape("caf\xC3\xA9 \xE2\x86\x92"), "caf\xC3\xA9 \xE2\x86\x92");
  EXPECT_EQ(reports::xml_attr("a\nb"), "a&#10;b");
}

RC_GTEST_PROP(ReportsEscape, AnyStringMakesWellFormedXml, (const std::string& s)) {
  const std::string doc = "<r a=\"" + reports::xml_attr(s) + "\">" + reports::xml_escape(s) + "</r>";
  RC_ASSERT(xml_problem(doc) == "");
}

TEST(ReportsLadder, WrapKeepsEveryCharacter) {
  const std::string dn =
      "ou=Class 3 Public Primary Certification Authority,o=VeriSign, Inc.,c=US "
      "[VeriSign-Class3-PCA]";
  const auto lines = reports::wrap(dn, 40);
  std::string joined;
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), 40u);
    joined += l;
  }
  EXPECT_EQ(joined, dn);
}

}  // namespace
}  // namespace ikeconform::testing
