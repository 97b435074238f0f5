#include "campaign/journal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "model/input_error.hpp"
#include "reports/json_input.hpp"
#include "reports/run.hpp"

namespace ikeconform::campaign {

using nlohmann::json;

// ---- IndexSet ----

void IndexSet::add_range(std::uint64_t first, std::uint64_t last, std::uint64_t step) {
  if (step == 0) step = 1;
  auto& ranges = classes_[Key{step, first % step}];
  std::uint64_t a = first / step, b = last / step;
  // Absorb every range that overlaps or touches [a, b].
  auto it = ranges.upper_bound(a);
  if (it != ranges.begin() && std::prev(it)->second + 1 >= a) --it;
  while (it != ranges.end() && it->first <= b + 1) {
    a = std::min(a, it->first);
    b = std::max(b, it->second);
    it = ranges.erase(it);
  }
  ranges.emplace(a, b);
}

bool IndexSet::contains(std::uint64_t index) const {
  for (const auto& [key, ranges] : classes_) {
    if (index % key.step != key.residue) continue;
    const std::uint64_t o = index / key.step;
    auto it = ranges.upper_bound(o);
    if (it != ranges.begin() && std::prev(it)->second >= o) return true;
  }
  return false;
}

// ---- JournalState ----

void JournalState::add_scenario(std::uint64_t index, const std::vector<std::pair<std::string, std::string>>& results) {
  done.add(index);
  ++scenarios;
  for (const auto& [id, verdict] : results) {
    OracleTally& t = tally[id];
    if (verdict == "pass") ++t.pass;
    else if (verdict == "fail") ++t.fail;
    else if (verdict == "expected_deviation") ++t.expected;
    else ++t.skip;
  }
}

void JournalState::add_passed(std::uint64_t step, const std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges,
                              const std::vector<std::uint64_t>& pass, const std::vector<std::uint64_t>& skip) {
  for (const auto& [first, last] : ranges) {
    done.add_range(first, last, step);
    scenarios += (last - first) / step + 1;
  }
  for (std::size_t k = 0; k < config.oracles.size() && k < pass.size() && k < skip.size(); ++k) {
    OracleTally& t = tally[config.oracles[k]];
    t.pass += pass[k];
    t.skip += skip[k];
  }
}

void JournalState::add_stacks(const std::string& scenario_class, const json& stacks) {
  if (!stacks.is_object()) return;
  for (const auto& [name, v] : stacks.items()) {
    StackCell& cell = matrix[scenario_class][name];
    ++cell.scenarios;
    if (v.contains("ike_up") && v.at("ike_up").is_array())
      for (const auto& b : v.at("ike_up")) cell.ike_up += b.is_boolean() && b.get<bool>();
    const std::string verdict = v.value("verdict", "");
    cell.agree += verdict == "agree";
    cell.disagree += verdict == "disagree";
    cell.skip += verdict == "skip";
  }
}

void JournalState::add_known(const reports::KnownDivergence& e) {
  for (const KnownDivergenceTally& k : known)
    if (k.entry.id == e.id) return;
  known.push_back({e, 0, {}});
}

void JournalState::add_deviation(const std::vector<std::string>& ids, std::uint64_t index) {
  ++expected_deviations;
  for (const std::string& id : ids) {
    auto it = std::find_if(known.begin(), known.end(), [&](const KnownDivergenceTally& k) { return k.entry.id == id; });
    if (it == known.end()) {  // an entry the journal did not list: still counted, never dropped
      known.emplace_back();
      it = std::prev(known.end());
      it->entry.id = id;
    }
    ++it->matched;
    if (it->scenarios.size() < 10 && (it->scenarios.empty() || it->scenarios.back() != index))
      it->scenarios.push_back(index);
  }
}

std::string known_divergences_line(const reports::KnownDivergences& k) {
  nlohmann::ordered_json j;
  j["type"] = "known_divergences";
  j["file"] = k.file;
  j["entries"] = nlohmann::ordered_json::array();
  for (const reports::KnownDivergence& e : k.entries)
    j["entries"].push_back({{"id", e.id},
                            {"target", e.target},
                            {"oracle", e.oracle},
                            {"what", e.what},
                            {"why", e.why},
                            {"evidence", e.evidence}});
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

bool JournalState::any_failure() const {
  for (const auto& [id, t] : tally)
    if (t.fail) return true;
  return false;
}

// ---- the reader ----

namespace {

struct LineReader {
  JournalState& st;
  const std::string& name;
  int lineno = 0;

  [[noreturn]] void fail(const std::string& what) const { throw InputError(name, lineno, what); }

  void scenario(const json& j) {
    std::vector<std::pair<std::string, std::string>> results;
    for (const auto& [id, v] : j.at("results").items()) {
      const std::string verdict = v.is_string() ? v.get<std::string>() : "";
      if (verdict != "pass" && verdict != "fail" && verdict != "skip" && verdict != "expected_deviation")
        fail(fmt::format("results.{}: expected \"pass\", \"fail\", \"skip\" or \"expected_deviation\"", id));
      results.emplace_back(id, verdict);
    }
    const auto index = j.at("index").get<std::uint64_t>();
    if (!st.done.contains(index)) {
      st.add_scenario(index, results);
      if (j.contains("stacks")) st.add_stacks(j.value("class", ""), j.at("stacks"));
      st.unsupported += j.contains("unsupported");
      if (j.contains("expected_deviations")) {  // {"DIFF-MODEL": ["entry id", ...]}
        if (!j["expected_deviations"].is_object()) fail("expected_deviations: expected an object");
        for (const auto& [oracle, ids] : j["expected_deviations"].items()) {
          if (!ids.is_array()) fail("expected_deviations." + oracle + ": expected a list of entry ids");
          std::vector<std::string> names;
          for (const json& id : ids) {
            if (!id.is_string()) fail("expected_deviations." + oracle + ": expected a list of entry ids");
            names.push_back(id.get<std::string>());
          }
          st.add_deviation(names, index);
        }
      }
      if (j.contains("infrastructure_error") || j.contains("error")) {  // "error": written before the rename
        const std::string file = j.contains("error_file") && j["error_file"].is_string()
                                     ? j["error_file"].get<std::string>()
                                     : std::string();
        if (!file.empty() && !reports::stays_inside(file)) fail("error_file: path must stay inside the run folder");
        st.add_infrastructure_error(file);
      }
    }
    st.session_t = std::max(st.session_t, j.value("t", 0.0));
  }

  // A checkpoint of passing scenarios: ranges of indices (every `step`) and, per oracle in the
  // header's order, how many of them it passed and skipped.
  void passed(const json& j) {
    if (st.version < 2) fail("a \"passed\" line in an ikeconform.journal/1 journal");
    const auto step = j.at("step").get<std::uint64_t>();
    if (step == 0) fail("step: must be at least 1");
    std::uint64_t n = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const json& r : j.at("ranges")) {
      if (!r.is_array() || r.size() != 2) fail("ranges: expected [first, last] pairs");
      const auto first = r[0].get<std::uint64_t>(), last = r[1].get<std::uint64_t>();
      if (last < first || (last - first) % step != 0)
        fail(fmt::format("ranges: [{}, {}] is not a run of step {}", first, last, step));
      n += (last - first) / step + 1;
      ranges.emplace_back(first, last);
    }
    const auto pass = j.at("pass").get<std::vector<std::uint64_t>>();
    const auto skip = j.at("skip").get<std::vector<std::uint64_t>>();
    const auto& oracles = st.config.oracles;
    if (pass.size() != oracles.size() || skip.size() != oracles.size())
      fail(fmt::format("pass / skip: expected one count per oracle of the header ({})", oracles.size()));
    for (std::size_t k = 0; k < oracles.size(); ++k)
      if (pass[k] + skip[k] != n)
        fail(fmt::format("{}: {} passed + {} skipped, but the ranges hold {} scenarios", oracles[k], pass[k], skip[k],
                         n));
    st.add_passed(step, ranges, pass, skip);
    st.session_t = std::max(st.session_t, j.value("t", 0.0));
  }

  void counterexample(const json& j) {
    CounterexampleRecord c;
    c.oracle = j.at("oracle").get<std::string>();
    c.scenario = j.at("scenario").get<std::string>();
    auto text = [&](const char* k) {
      return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
    };
    c.observations = text("observations");
    c.message = text("message");
    if (j.contains("ios") && j["ios"].is_array())
      for (const json& p : j["ios"])
        if (p.is_string()) c.ios.push_back(p.get<std::string>());
    // Paths come from a file we may not have written: never follow one out of the run folder.
    if (!reports::stays_inside(c.scenario)) fail("scenario: path must stay inside the run folder");
    for (const std::string& p : c.ios)
      if (!reports::stays_inside(p)) fail("ios: path must stay inside the run folder");
    st.tally[c.oracle].counterexamples.push_back(c.scenario);
    if (j.contains("companion") && j.contains("class"))
      st.matrix[j.at("class").get<std::string>()][j.at("companion").get<std::string>()].counterexamples.push_back(
          c.scenario);
    st.saved[c.oracle] = std::max<std::uint64_t>(st.saved[c.oracle], j.at("n").get<std::uint64_t>());
    st.counterexamples.push_back(std::move(c));
  }

  void known(const json& j) {
    st.known_divergences_file = j.value("file", "");
    if (!j.contains("entries") || !j["entries"].is_array()) fail("entries: expected a list");
    for (const json& e : j["entries"]) {
      if (!e.is_object() || !e.contains("id") || !e["id"].is_string()) fail("entries: each needs a string id");
      reports::KnownDivergence k;
      auto text = [&](const char* key) {
        return e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : std::string();
      };
      k.id = text("id");
      k.target = text("target");
      k.oracle = text("oracle");
      k.what = text("what");
      k.why = text("why");
      if (e.contains("evidence") && e["evidence"].is_array())
        for (const json& x : e["evidence"])
          if (x.is_string()) k.evidence.push_back(x.get<std::string>());
      st.add_known(k);
    }
  }

  void line(const json& j) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
      fail("expected a JSON object with a string 'type'");
    const std::string type = j["type"].get<std::string>();
    if (lineno == 1) {
      if (type != "header") fail("the first line must be the header");
      st.config = config_from_header(j, name, &st.version);
      return;
    }
    if (type == "header") fail("a second header line");
    if (type == "resume") {
      // A session that was killed leaves no end line: count it up to its last journaled scenario.
      ++st.resumes;
      if (!st.ended) st.elapsed_s += st.session_t;
      st.session_t = 0;
      st.ended = false;
    } else if (type == "scenario") {
      scenario(j);
    } else if (type == "passed") {
      passed(j);
    } else if (type == "counterexample") {
      counterexample(j);
    } else if (type == "known_divergences") {
      known(j);
    } else if (type == "end") {
      st.elapsed_s += j.at("elapsed_s").get<double>();
      st.session_t = 0;
      st.ended = true;
      st.interrupted = j.value("interrupted", false);
    } else {
      fail("unknown journal line type '" + type + "'");
    }
  }
};

}  // namespace

JournalState read_journal(const std::filesystem::path& file, std::uintmax_t* valid_bytes, std::vector<json>* raw) {
  JournalState st;
  const std::string name = file.string();
  const std::string text = reports::read_text_file(file, name);
  LineReader r{st, name};
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {  // torn last line: the writer was killed mid-line (docs/campaign.md)
      st.torn_last_line = true;
      break;
    }
    ++r.lineno;
    const std::string l = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = reports::parse_json_line(l, name, r.lineno);
    try {
      r.line(j);
    } catch (const json::exception& e) {
      r.fail(e.what());
    }
    ++st.lines;
    if (raw) raw->push_back(std::move(j));
  }
  if (st.lines == 0) throw InputError(name, 1, "empty journal (no header line)");
  if (valid_bytes) *valid_bytes = pos;
  return st;
}

// ---- writing ----

std::string PassedBatch::line(double t) const {
  std::string out = fmt::format(R"({{"type":"passed","step":{},"ranges":[)", step_);
  for (std::size_t i = 0; i < ranges_.size(); ++i)
    fmt::format_to(std::back_inserter(out), "{}[{},{}]", i ? "," : "", ranges_[i].first, ranges_[i].second);
  fmt::format_to(std::back_inserter(out), R"(],"pass":[{}],"skip":[{}],"t":{:.3f}}})", fmt::join(pass_, ","),
                 fmt::join(skip_, ","), t);
  out += '\n';
  return out;
}

void PassedBatch::clear() {
  ranges_.clear();
  std::fill(pass_.begin(), pass_.end(), 0);
  std::fill(skip_.begin(), skip_.end(), 0);
  scenarios_ = 0;
}

std::string end_line(std::uint64_t scenarios, std::uint64_t session_scenarios, double elapsed_s, bool interrupted) {
  return fmt::format(R"({{"type":"end","scenarios":{},"session_scenarios":{},"elapsed_s":{:.3f},"interrupted":{}}})",
                     scenarios, session_scenarios, elapsed_s, interrupted) +
         "\n";
}

JournalWriter::JournalWriter(const std::filesystem::path& file) : f_(std::fopen(file.string().c_str(), "ab")) {
  if (!f_) throw InputError(file.string(), 0, "cannot open for writing");
}

JournalWriter::~JournalWriter() { close(); }

void JournalWriter::append(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), f_);
  std::fflush(f_);  // per line: a killed campaign keeps every finished scenario
}

void JournalWriter::close() {
  if (f_) std::fclose(f_);
  f_ = nullptr;
}

}  // namespace ikeconform::campaign
