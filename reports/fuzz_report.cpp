#include "reports/fuzz_report.hpp"

#include <fmt/format.h>

#include "reports/json_input.hpp"

namespace ikeconform::reports {
using nlohmann::json;

namespace {

std::optional<double> opt_number(const Fields& f, const char* key) {
  if (!f.find(key)) return std::nullopt;
  return f.number(key);
}

FuzzCrash parse_crash(const JsonFile& file, const json& j, const std::string& ptr) {
  Fields f(file, j, ptr);
  return {f.str("kind"), f.str("artifact"), f.str("summary"), f.str("reproducer", true)};
}

FuzzTarget parse_target(const JsonFile& file, const json& j, const std::string& ptr) {
  Fields f(file, j, ptr);
  FuzzTarget t;
  t.name = f.str("name", true);
  t.exec_per_s = opt_number(f, "exec_per_s");
  t.elapsed_s = opt_number(f, "elapsed_s");
  t.runs = f.opt_count("runs");
  t.coverage = f.opt_count("coverage");
  t.features = f.opt_count("features");
  t.corpus_size = f.opt_count("corpus_size");
  t.new_corpus = f.opt_count("new_corpus");
  if (const json* c = f.find("crashes")) {
    if (!c->is_array()) f.fail("crashes", "expected a list");
    for (std::size_t i = 0; i < c->size(); ++i)
      t.crashes.push_back(parse_crash(file, (*c)[i], f.pointer("crashes") + "/" + std::to_string(i)));
  }
  return t;
}

DaemonFuzz parse_daemon(const JsonFile& file, const json& j, const std::string& ptr) {
  Fields f(file, j, ptr);
  DaemonFuzz d;
  d.target = f.str("target", true);
  d.daemon = f.str("daemon");
  d.unavailable = f.str("unavailable");
  d.harness_failure = f.str("harness_failure");
  d.exec_per_s = opt_number(f, "exec_per_s");
  d.seconds = opt_number(f, "seconds");
  d.executions = f.opt_count("executions");
  d.distinct_responses = f.opt_count("distinct_responses");
  d.harness_errors = f.opt_count("harness_errors");
  if (const json* s = f.find("states_reached")) {
    if (!s->is_array()) f.fail("states_reached", "expected a list");
    for (const json& x : *s) {
      if (!x.is_string()) f.fail("states_reached", "expected strings");
      d.states_reached.push_back(x.get<std::string>());
    }
  }
  if (const json* fs = f.find("findings")) {
    if (!fs->is_array()) f.fail("findings", "expected a list");
    for (std::size_t i = 0; i < fs->size(); ++i) {
      Fields g(file, (*fs)[i], f.pointer("findings") + "/" + std::to_string(i));
      d.findings.push_back({g.str("id", true), g.str("oracle"), g.str("point"), g.str("summary")});
    }
  }
  return d;
}

}  // namespace

FuzzReport load_fuzz_report(const std::filesystem::path& path) {
  const JsonFile file = read_json_file(path, path.string());
  Fields f(file, file.value, "");
  if (std::string schema = f.str("schema", true); schema != "ikeconform.fuzz-report/1")
    f.fail("schema", fmt::format("expected 'ikeconform.fuzz-report/1', found '{}'", schema));
  FuzzReport r;
  r.file = path.string();
  const json* targets = f.find("targets");
  if (!targets) file.fail("", "missing required key 'targets'");
  if (!targets->is_array()) f.fail("targets", "expected a list");
  for (std::size_t i = 0; i < targets->size(); ++i)
    r.targets.push_back(parse_target(file, (*targets)[i], "/targets/" + std::to_string(i)));
  if (const json* daemons = f.find("daemons")) {
    if (!daemons->is_array()) f.fail("daemons", "expected a list");
    for (std::size_t i = 0; i < daemons->size(); ++i)
      r.daemons.push_back(parse_daemon(file, (*daemons)[i], "/daemons/" + std::to_string(i)));
  }
  return r;
}

}  // namespace ikeconform::reports
