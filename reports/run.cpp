#include "reports/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "model/input_error.hpp"
#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"
#include "reports/json_input.hpp"

namespace ikeconform::reports {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kStatusText[] = {"passed", "failed", "expected_deviation", "not_checked"};

std::string dir_file(const fs::path& dir, const std::string& rel) { return (dir / rel).string(); }

KeyValues key_values(const Fields& f, const char* key) {
  KeyValues out;
  const json* v = f.find(key);
  if (!v) return out;
  if (!v->is_object()) f.fail(key, "expected an object of KEY: VALUE");
  for (auto it = v->begin(); it != v->end(); ++it)
    out.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  return out;
}

std::string shard_text(const json& s) {
  if (s.is_string()) return s.get<std::string>();
  if (s.is_object() && s.contains("index") && s.contains("count"))
    return fmt::format("{}/{}", s["index"].dump(), s["count"].dump());
  return s.dump();
}

// Model options recorded by the campaign; keys the model does not know are someone else's.
ModelOptions model_options(const KeyValues& kv) {
  ModelOptions o;
  for (const auto& [k, v] : kv) (void)set_model_option(o, k + "=" + v);
  return o;
}

Status derived_status(const OracleRow& r) {
  if (r.failed > 0) return r.expected_deviation ? Status::ExpectedDeviation : Status::Failed;
  return r.checked > 0 ? Status::Passed : Status::NotChecked;
}

OracleRow parse_oracle(const JsonFile& file, const json& j, const std::string& ptr, const std::string& run_target) {
  Fields f(file, j, ptr);
  OracleRow r;
  r.id = f.str("id", true);
  r.statement = f.str("statement");
  r.rules = f.strings("rules");
  r.target = f.str("target");
  if (r.target.empty()) r.target = run_target;
  r.checked = f.count("checked");
  r.failed = f.count("failed");
  r.skipped = f.count("skipped");
  r.expected_deviation = f.boolean("expected_deviation").value_or(false);
  r.expected_deviations = f.count("expected_deviations");
  r.counterexamples = f.strings("counterexamples");
  for (std::size_t i = 0; i < r.counterexamples.size(); ++i)
    if (!stays_inside(r.counterexamples[i]))
      file.fail(f.pointer("counterexamples") + "/" + std::to_string(i), "path must stay inside the run folder");
  if (std::string st = f.str("status"); st.empty()) r.status = derived_status(r);
  else if (!parse_status(st, r.status))
    f.fail("status", fmt::format("unknown status '{}' (passed, failed, expected_deviation, not_checked)", st));
  return r;
}

Summary parse_summary(const JsonFile& file) {
  Fields f(file, file.value, "");
  Summary s;
  if (std::string schema = f.str("schema", true); schema != "ikeconform.summary/1")
    f.fail("schema", fmt::format("expected 'ikeconform.summary/1', found '{}'", schema));
  s.version = f.scalar_text("version");
  s.target = f.str("target");
  s.target_version = f.scalar_text("target_version");
  s.seed = f.scalar_text("seed");
  if (const json* sh = f.find("shard")) s.shard = shard_text(*sh);
  if (const json* shs = f.find("shards"); shs && shs->is_array())
    for (const json& e : *shs) s.shards.push_back(shard_text(e));
  s.scenario_class = f.str("class");
  s.options = key_values(f, "options");
  s.runs = f.opt_count("runs");
  s.scenarios = f.count("scenarios");
  s.unsupported = f.count("unsupported");
  s.infrastructure_errors = f.count("infrastructure_errors");
  s.infrastructure_error_files = f.strings("infrastructure_error_files");
  for (std::size_t i = 0; i < s.infrastructure_error_files.size(); ++i)
    if (!stays_inside(s.infrastructure_error_files[i]))
      file.fail(f.pointer("infrastructure_error_files") + "/" + std::to_string(i),
                "path must stay inside the run folder");
  s.expected_deviations = f.count("expected_deviations");
  s.known_divergences_file = f.str("known_divergences_file");
  if (const json* kd = f.find("known_divergences"); kd && kd->is_array())
    for (std::size_t i = 0; i < kd->size(); ++i) {
      Fields kf(file, (*kd)[i], "/known_divergences/" + std::to_string(i));
      KnownDivergenceRow k;
      k.id = kf.str("id", true);
      k.target = kf.str("target");
      k.oracle = kf.str("oracle");
      k.what = kf.str("what");
      k.why = kf.str("why");
      k.evidence = kf.strings("evidence");
      k.matched = kf.count("matched");
      if (const json* sc = kf.find("scenarios"); sc && sc->is_array())
        for (const json& x : *sc)
          if (x.is_number_unsigned()) k.scenarios.push_back(x.get<std::uint64_t>());
      s.known_divergences.push_back(std::move(k));
    }
  s.complete = f.boolean("complete").value_or(true);
  s.elapsed_s = f.number("elapsed_s");
  s.scenarios_per_s = f.number("scenarios_per_s");
  s.baseline = f.scalar_text("baseline");
  s.baseline_matches = f.boolean("baseline_matches");
  const json* oracles = f.find("oracles");
  if (!oracles) file.fail("", "missing required key 'oracles'");
  if (!oracles->is_array()) f.fail("oracles", "expected a list");
  for (std::size_t i = 0; i < oracles->size(); ++i)
    s.oracles.push_back(parse_oracle(file, (*oracles)[i], "/oracles/" + std::to_string(i), s.target));
  if (const json* ts = f.find("targets"); ts && ts->is_array())
    for (std::size_t i = 0; i < ts->size(); ++i) {
      Fields tf(file, (*ts)[i], "/targets/" + std::to_string(i));
      s.targets.push_back({tf.str("name", true), tf.str("role"), tf.scalar_text("version")});
    }
  if (const json* m = f.find("matrix"); m && m->is_array())
    for (std::size_t i = 0; i < m->size(); ++i) {
      Fields cf(file, (*m)[i], "/matrix/" + std::to_string(i));
      PairCell c;
      c.scenario_class = cf.str("class");
      c.target = cf.str("target", true);
      c.pair = cf.str("pair");
      c.scenarios = cf.count("scenarios");
      c.ike_up = cf.count("ike_up");
      c.agree = cf.count("agree");
      c.disagree = cf.count("disagree");
      c.skipped = cf.count("skipped");
      c.counterexamples = cf.strings("counterexamples");
      for (std::size_t k = 0; k < c.counterexamples.size(); ++k)
        if (!stays_inside(c.counterexamples[k]))
          file.fail(cf.pointer("counterexamples") + "/" + std::to_string(k), "path must stay inside the run folder");
      s.pairs.push_back(std::move(c));
    }
  return s;
}

// ---- counterexamples ----

std::string replace_suffix(const std::string& rel, std::string_view from, std::string_view to) {
  if (rel.size() >= from.size() && rel.compare(rel.size() - from.size(), from.size(), from) == 0)
    return rel.substr(0, rel.size() - from.size()) + std::string(to);
  return rel + std::string(to);
}

std::vector<Observation> parse_directions(const JsonFile& file, const Scenario& s, const json* dirs,
                                          const std::string& ptr) {
  if (!dirs || !dirs->is_array() || dirs->size() != 2) file.fail(ptr, "expected the two directions' observations");
  std::vector<Observation> out;
  for (std::size_t d = 0; d < 2; ++d) {
    const std::string p = ptr + "/" + std::to_string(d);
    try {
      out.push_back(observation_from_json(s, (*dirs)[d], file.file));
    } catch (const InputError& e) {
      std::string what = e.what();
      const std::string prefix = file.file + ": ";
      file.fail(p, what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what);
    }
  }
  return out;
}

std::vector<ScenarioRun> parse_related(const JsonFile& file, const Fields& f) {
  std::vector<ScenarioRun> out;
  const json* rel = f.find("related");
  if (!rel) return out;
  if (!rel->is_array()) f.fail("related", "expected a list");
  for (std::size_t i = 0; i < rel->size(); ++i) {
    const std::string ptr = "/related/" + std::to_string(i);
    Fields rf(file, (*rel)[i], ptr);
    ScenarioRun r;
    r.relation = rf.str("relation");
    const json* sj = rf.find("scenario");
    if (!sj) file.fail(ptr, "missing required key 'scenario'");
    try {
      r.scenario = scenario_from_json(*sj, file.file);
    } catch (const InputError& e) {
      file.fail(ptr + "/scenario", e.what());
    }
    r.directions = parse_directions(file, r.scenario, rf.find("directions"), ptr + "/directions");
    out.push_back(std::move(r));
  }
  return out;
}

void parse_failing(const JsonFile& file, const Fields& f, Counterexample& c) {
  const json* fj = f.find("failing");
  if (!fj) {
    const auto& d = c.run.directions;
    c.failing_direction = !d[0].up() ? 0 : !d[1].up() ? 1 : 0;
    return;
  }
  Fields ff(file, *fj, "/failing");
  if (auto r = ff.opt_count("related")) {
    if (*r >= c.related.size()) ff.fail("related", "no such related run");
    c.failing_related = static_cast<int>(*r);
  }
  const std::uint64_t d = ff.count("direction");
  if (d > 1) ff.fail("direction", "expected 0 or 1");
  c.failing_direction = static_cast<std::size_t>(d);
  if (std::string at = ff.str("at"); !at.empty() && !parse_message_name(at, c.failing_at))
    ff.fail("at", fmt::format("unknown message '{}'", at));
}

void parse_observations(const JsonFile& file, Counterexample& c) {
  Fields f(file, file.value, "");
  if (std::string schema = f.str("schema", true); schema != "ikeconform.counterexample/1")
    f.fail("schema", fmt::format("expected 'ikeconform.counterexample/1', found '{}'", schema));
  c.oracle = f.str("oracle");
  c.statement = f.str("statement");
  c.rules = f.strings("rules");
  c.message = f.str("message");
  c.target = f.str("target");
  c.options = model_options(key_values(f, "options"));
  c.seed = f.scalar_text("seed");
  c.index = f.scalar_text("index");
  c.run.directions = parse_directions(file, c.run.scenario, f.find("directions"), "/directions");
  c.related = parse_related(file, f);
  parse_failing(file, f, c);
}

// The IOS files: as the journal lists them, else by the documented naming convention.
void load_ios(const fs::path& dir, const std::string& rel, const Journal& journal, Counterexample& c) {
  const std::string stem = replace_suffix(rel, ".json", "");
  const JournalCounterexample* listed = nullptr;
  for (const JournalCounterexample& jc : journal.counterexamples)
    if (jc.scenario == rel) listed = &jc;
  if (listed) {
    for (const std::string& p : listed->ios) {
      std::string router = replace_suffix(p, ".ios.txt", "");
      router = router.substr(std::min(router.size(), stem.size() + 1));
      c.ios.emplace_back(router, read_text_file(dir / p, dir_file(dir, p)));
    }
    return;
  }
  for (const Peer& p : c.run.scenario.peers) {
    const std::string file = stem + "." + file_safe(p.name) + ".ios.txt";
    std::error_code ec;
    if (fs::exists(dir / file, ec)) c.ios.emplace_back(p.name, read_text_file(dir / file, dir_file(dir, file)));
  }
}

Counterexample load_counterexample(const fs::path& dir, const std::string& rel, const OracleRow& row,
                                   const Journal& journal) {
  Counterexample c;
  c.path = rel;
  c.oracle = row.id;
  c.statement = row.statement;
  c.rules = row.rules;
  c.target = row.target;
  if (!fs::exists(dir / rel)) throw InputError(dir_file(dir, rel), 0, "no such file (listed in summary.json)");
  c.run.scenario = load_scenario_file(dir / rel);
  const std::string obs = replace_suffix(rel, ".json", ".observations.json");
  const JsonFile file = read_json_file(dir / obs, dir_file(dir, obs));
  parse_observations(file, c);
  c.observations_present = true;
  if (c.statement.empty()) c.statement = row.statement;
  if (c.oracle.empty()) c.oracle = row.id;
  load_ios(dir, rel, journal, c);
  return c;
}

}  // namespace

// Paths inside the run folder come from files we did not write; never follow one out of it.
bool stays_inside(const std::string& rel) {
  const fs::path p(rel);
  if (rel.empty() || p.is_absolute() || p.has_root_name()) return false;
  return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

std::string_view status_text(Status s) { return kStatusText[static_cast<std::size_t>(s)]; }

bool parse_status(std::string_view s, Status& out) {
  for (std::size_t i = 0; i < std::size(kStatusText); ++i)
    if (kStatusText[i] == s) return out = static_cast<Status>(i), true;
  return false;
}

std::string file_safe(std::string_view name) {
  std::string out;
  for (char ch : name) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                    ch == '.' || ch == '-';
    out += ok ? ch : '_';
  }
  return out;
}

const ScenarioRun& Counterexample::failing_run() const {
  return failing_related < 0 ? run : related[static_cast<std::size_t>(failing_related)];
}

const Observation& Counterexample::failing_observation() const { return failing_run().directions[failing_direction]; }

Summary load_summary(const fs::path& path) {
  std::error_code ec;
  const fs::path file = fs::is_directory(path, ec) ? path / "summary.json" : path;
  return parse_summary(read_json_file(file, file.string()));
}

Run load_run(const fs::path& dir, const Journal& journal, const std::optional<Summary>& from_journal) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError(dir.string(), 0, fs::exists(dir, ec) ? "not a folder" : "no such folder");
  Run run;
  run.dir = dir;
  const fs::path summary = dir / "summary.json";
  run.journal = journal;
  if (fs::exists(summary, ec)) run.summary = parse_summary(read_json_file(summary, summary.string()));
  else if (from_journal) run.summary = *from_journal;
  else throw InputError(summary.string(), 0, "no such file (and no journal.jsonl to rebuild it from)");
  std::set<std::string> seen;
  for (const OracleRow& row : run.summary.oracles)
    for (const std::string& rel : row.counterexamples)
      if (seen.insert(rel).second) run.counterexamples.push_back(load_counterexample(dir, rel, row, run.journal));
  return run;
}

}  // namespace ikeconform::reports
