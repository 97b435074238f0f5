#include "tests/reports_support.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::testing {
using ojson = nlohmann::ordered_json;

TempDir::TempDir() {
  std::string templ = (fs::temp_directory_path() / "ikeconform-reports-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!std::getenv("IKECONFORM_KEEP_TEST_DIRS")) fs::remove_all(path_, ec);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

int run_command(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool have_program(const std::string& name) { return run_command("command -v " + name + " >/dev/null 2>&1") == 0; }

namespace {

Scenario hostile_s1() {
  Scenario s = load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/s1.json");
  s.name = kHostileName;
  s.cas[0].dn = kHostileDn;
  return s;
}

ojson oracle(const char* id, const char* statement, const char* status, int checked, int failed, bool deviation,
             std::vector<std::string> ces = {}) {
  return {{"id", id},
          {"statement", statement},
          {"rules", {"V1-5", "V1-9"}},
          {"classes", {"mixed"}},
          {"target", "model"},
          {"status", status},
          {"checked", checked},
          {"failed", failed},
          {"skipped", 100 - checked},
          {"expected_deviation", deviation},
          {"counterexamples", ces}};
}

ojson summary(const FakeRunOptions& o) {
  ojson s = {{"schema", "ikeconform.summary/1"},
             {"version", "0.1.0"},
             {"target", "model"},
             {"target_version", nullptr},
             {"seed", 7},
             {"shard", {{"index", 1}, {"count", 2}}},
             {"shards", {{{"index", 1}, {"count", 2}}}},
             {"class", "mixed"},
             {"options",
              {{"initiator_choice_restricted_to_profile", "on"}, {"fallback_certificate", "profile-then-store"}}},
             {"runs", 100},
             {"scenarios", 100},
             {"complete", true},
             {"elapsed_s", 0.25},
             {"scenarios_per_s", 400.0},
             {"baseline", "baseline.json"},
             {"baseline_matches", false},
             {"some_future_key", {1, 2}}};
  s["oracles"] = {oracle("P-1", "Symmetric trustpoints always succeed", "failed", 40, 1, false,
                         {"counterexamples/P-1-1.json"}),
                  o.p2_fails
                      ? oracle("P-2", "No ca trust-point anywhere: IKEv1 succeeds both ways", "failed", 30, 2, false)
                      : oracle("P-2", "No ca trust-point anywhere: IKEv1 succeeds both ways", "passed", 30, 0, false),
                  oracle("P-7", "IKEv2: an rsa-sig initiator without pki trustpoint never builds a certificate payload",
                         "expected_deviation", 10, 3, true),
                  oracle("P-8", "IKEv2: with several matching profiles the responder binds the last one", "not_checked",
                         0, 0, false)};
  return s;
}

ojson observations(const Scenario& s, const Observation (&obs)[2]) {
  return {{"schema", "ikeconform.counterexample/1"},
          {"oracle", "P-1"},
          {"statement", "Symmetric trustpoints always succeed"},
          {"rules", {"V1-5", "V1-9"}},
          {"message", "R2 -> R1 failed at MM5 (CERT_VALIDATION_FAILED) <img src=x onerror=alert(1)>"},
          {"target", "model"},
          {"options", {{"initiator_choice_restricted_to_profile", "on"}}},
          {"seed", 7},
          {"index", 17},
          {"shrink_steps", 57},
          {"scenario", "P-1-1.json"},
          {"directions", {observation_to_json(s, obs[0]), observation_to_json(s, obs[1])}},
          {"failing", {{"related", nullptr}, {"direction", 1}, {"at", nullptr}}}};
}

std::string journal() {
  std::string j;
  auto line = [&](const ojson& v) { j += v.dump() + "\n"; };
  line({{"type", "header"},
        {"schema", "ikeconform.journal/1"},
        {"version", "0.1.0"},
        {"target", "model"},
        {"seed", 7},
        {"shard", {{"index", 1}, {"count", 2}}},
        {"class", "mixed"},
        {"runs", 100},
        {"max_total_time", nullptr},
        {"oracles", {"P-1", "P-2", "P-7", "P-8"}},
        {"options", {{"initiator_choice_restricted_to_profile", "on"}}}});
  line({{"type", "scenario"},
        {"index", 17},
        {"class", "symmetric"},
        {"ike_version", 1},
        {"cas", 2},
        {"up", {true, false}},
        {"results", {{"P-1", "fail"}, {"P-2", "skip"}, {"P-7", "skip"}, {"P-8", "skip"}}},
        {"t", 0.1}});
  line({{"type", "counterexample"},
        {"oracle", "P-1"},
        {"n", 1},
        {"index", 17},
        {"message", "R2 -> R1 failed at MM5"},
        {"scenario", "counterexamples/P-1-1.json"},
        {"observations", "counterexamples/P-1-1.observations.json"},
        {"ios", {"counterexamples/P-1-1.R1.ios.txt", "counterexamples/P-1-1.R2.ios.txt"}},
        {"cas", 2},
        {"shrink_steps", 57},
        {"t", 0.2}});
  line({{"type", "end"}, {"scenarios", 100}, {"elapsed_s", 0.25}, {"interrupted", false}});
  return j;
}

}  // namespace

void make_fake_run(const fs::path& dir, const FakeRunOptions& o) {
  const Scenario s = hostile_s1();
  const ModelOptions opt;
  const Observation obs[2] = {run_direction(s, 0, opt), run_direction(s, 1, opt)};
  write_file(dir / "summary.json", summary(o).dump(2) + "\n");
  if (o.with_journal) write_file(dir / "journal.jsonl", journal());
  write_file(dir / "counterexamples/P-1-1.json", scenario_to_text(s));
  write_file(dir / "counterexamples/P-1-1.observations.json", observations(s, obs).dump(2) + "\n");
  if (o.with_ios) {
    write_file(dir / "counterexamples/P-1-1.R1.ios.txt",
               "hostname R1\n!\ncrypto isakmp profile prof1\n description <b>not bold</b> & co\n ca trust-point "
               "IOSCA1\n");
    write_file(dir / "counterexamples/P-1-1.R2.ios.txt",
               "hostname R2\n!\ncrypto isakmp profile prof1\n match identity host R1.cisco.com\n");
  }
}

// ---- a small XML well-formedness checker ----

namespace {

struct XmlChecker {
  const std::string& x;
  std::size_t i = 0;
  std::vector<std::string> open;
  std::string problem;

  bool fail(const std::string& what) {
    if (problem.empty()) problem = what + " at byte " + std::to_string(i);
    return false;
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  }
  std::string name() {
    const std::size_t b = i;
    while (i < x.size() && name_char(x[i])) ++i;
    return x.substr(b, i - b);
  }
  void spaces() {
    while (i < x.size() && std::isspace(static_cast<unsigned char>(x[i]))) ++i;
  }
  bool entity() {  // at '&'
    const std::size_t semi = x.find(';', i);
    if (semi == std::string::npos || semi - i > 10) return fail("bare '&'");
    const std::string e = x.substr(i + 1, semi - i - 1);
    static const std::set<std::string> named{"amp", "lt", "gt", "quot", "apos"};
    const bool num = e.size() > 1 && e[0] == '#' &&
                     (e[1] == 'x'
                          ? e.size() > 2 && e.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos
                          : e.find_first_not_of("0123456789", 1) == std::string::npos);
    if (!named.count(e) && !num) return fail("unknown entity &" + e + ";");
    i = semi + 1;
    return true;
  }
  bool text() {
    while (i < x.size() && x[i] != '<') {
      const auto c = static_cast<unsigned char>(x[i]);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return fail("control character");
      if (x[i] == '&') {
        if (!entity()) return false;
      } else {
        ++i;
      }
    }
    return true;
  }
  bool attributes(std::set<std::string>& seen) {
    for (;;) {
      spaces();
      if (i >= x.size()) return fail("unterminated tag");
      if (x[i] == '>' || x[i] == '/' || x[i] == '?') return true;
      const std::string a = name();
      if (a.empty()) return fail("bad attribute name");
      if (!seen.insert(a).second) return fail("duplicate attribute " + a);
      spaces();
      if (i >= x.size() || x[i] != '=') return fail("attribute without '='");
      ++i;
      spaces();
      if (i >= x.size() || (x[i] != '"' && x[i] != '\'')) return fail("unquoted attribute");
      const char q = x[i++];
      while (i < x.size() && x[i] != q) {
        if (x[i] == '<') return fail("'<' in attribute value");
        if (x[i] == '&') {
          if (!entity()) return false;
        } else {
          ++i;
        }
      }
      if (i >= x.size()) return fail("unterminated attribute value");
      ++i;
    }
  }
  bool markup() {  // at '<'
    if (x.compare(i, 4, "<!--") == 0) {
      const std::size_t e = x.find("-->", i + 4);
      if (e == std::string::npos) return fail("unterminated comment");
      i = e + 3;
      return true;
    }
    if (x.compare(i, 2, "<?") == 0) {
      const std::size_t e = x.find("?>", i);
      if (e == std::string::npos) return fail("unterminated processing instruction");
      i = e + 2;
      return true;
    }
    if (x.compare(i, 2, "</") == 0) {
      i += 2;
      const std::string n = name();
      spaces();
      if (i >= x.size() || x[i] != '>') return fail("bad end tag");
      ++i;
      if (open.empty() || open.back() != n) return fail("mismatched </" + n + ">");
      open.pop_back();
      return true;
    }
    ++i;
    const std::string n = name();
    if (n.empty()) return fail("bad tag name");
    std::set<std::string> seen;
    if (!attributes(seen)) return false;
    if (x[i] == '/') {
      if (i + 1 >= x.size() || x[i + 1] != '>') return fail("bad empty tag");
      i += 2;
    } else {
      ++i;
      open.push_back(n);
    }
    return true;
  }
  std::string check() {
    std::size_t roots = 0;
    while (i < x.size()) {
      if (x[i] == '<') {
        const bool element = x.compare(i, 2, "<?") != 0 && x.compare(i, 4, "<!--") != 0 && x.compare(i, 2, "</") != 0;
        if (element && open.empty()) ++roots;
        if (!markup()) return problem;
      } else {
        const std::size_t b = i;
        if (!text()) return problem;
        if (open.empty() && x.find_first_not_of(" \t\r\n", b) < i) return "text outside the root element";
      }
    }
    if (!open.empty()) return "unclosed <" + open.back() + ">";
    if (roots != 1) return "expected exactly one root element, found " + std::to_string(roots);
    return "";
  }
};

}  // namespace

std::string xml_problem(const std::string& xml) { return XmlChecker{xml, 0, {}, {}}.check(); }

}  // namespace ikeconform::testing
