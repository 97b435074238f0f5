#include "reports/junit.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/escape.hpp"

namespace ikeconform::reports {
namespace {

struct Counts {
  std::size_t tests = 0, failures = 0, skipped = 0;
  void add(Status s) {
    ++tests;
    failures += s == Status::Failed;
    skipped += s == Status::ExpectedDeviation || s == Status::NotChecked;
  }
};

std::vector<std::string> targets_of(const Summary& s) {
  std::vector<std::string> out;
  for (const OracleRow& r : s.oracles)
    if (std::find(out.begin(), out.end(), r.target) == out.end()) out.push_back(r.target);
  return out;
}

const Counterexample* find_counterexample(const Run& run, const std::string& rel) {
  for (const Counterexample& c : run.counterexamples)
    if (c.path == rel) return &c;
  return nullptr;
}

std::string counts_text(const OracleRow& r) {
  return fmt::format("checked {}, failed {}, skipped {} (precondition did not hold)", r.checked, r.failed, r.skipped);
}

std::string rules_text(const OracleRow& r) {
  return r.rules.empty() ? "" : fmt::format(" [{}]", fmt::join(r.rules, ", "));
}

// The failure body: the claim, the counts, then each counterexample with its message and the
// command that replays it.
std::string failure_text(const Run& run, const OracleRow& r) {
  std::string t = fmt::format("{}: {}{}\n{}\n", r.id, r.statement, rules_text(r), counts_text(r));
  if (!r.counterexamples.empty()) t += "counterexamples (paths relative to the run folder):\n";
  for (const std::string& rel : r.counterexamples) {
    const Counterexample* c = find_counterexample(run, rel);
    t += fmt::format("  {}: {}\n    replay: ikeconform replay {}\n", rel, c ? c->message : "",
                     (run.dir / rel).string());
  }
  return t;
}

std::string first_message(const Run& run, const OracleRow& r) {
  for (const std::string& rel : r.counterexamples)
    if (const Counterexample* c = find_counterexample(run, rel); c && !c->message.empty()) return c->message;
  return "";
}

void testcase(std::string& out, const Run& run, const OracleRow& r) {
  out += fmt::format("    <testcase name=\"{}\" classname=\"ikeconform.{}\">\n", xml_attr(r.id), xml_attr(r.target));
  const std::string first = first_message(run, r);
  switch (r.status) {
    case Status::Failed:
      out += fmt::format("      <failure type=\"oracle\" message=\"{}\">{}</failure>\n",
                         xml_attr(fmt::format("{} failed in {} of {} scenarios{}", r.id, r.failed, r.checked,
                                              first.empty() ? "" : ": " + first)),
                         xml_escape(failure_text(run, r)));
      break;
    case Status::ExpectedDeviation:
      out += fmt::format("      <skipped message=\"{}\"/>\n",
                         xml_attr(r.failed ? fmt::format("expected deviation: failed in {} of {} scenarios, as the "
                                                         "baseline expects",
                                                         r.failed, r.checked)
                                           : fmt::format("expected deviation: {} of {} scenarios differ as known "
                                                         "divergences explain (see their testcases)",
                                                         r.expected_deviations, r.checked)));
      break;
    case Status::NotChecked:
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml_attr(fmt::format("not checked: the precondition held "
                                                                                   "in none of {} scenarios",
                                                                                   r.skipped)));
      break;
    case Status::Passed: break;
  }
  out += fmt::format("      <system-out>{}</system-out>\n",
                     xml_escape(fmt::format("{}{}\n{}\n", r.statement, rules_text(r), counts_text(r))));
  out += "    </testcase>\n";
}

// Runs the infrastructure spoiled (twice): JUnit <error>, never <failure> -- the implementation
// was not judged. One testcase per scenario with its evidence file.
std::size_t infrastructure_cases(std::string& out, const Run& run, const std::string& target) {
  const Summary& s = run.summary;
  if (s.infrastructure_errors == 0) return 0;
  auto one = [&](const std::string& name, const std::string& message, const std::string& body) {
    out += fmt::format("    <testcase name=\"{}\" classname=\"ikeconform.{}\">\n", xml_attr(name), xml_attr(target));
    out += fmt::format("      <error type=\"infrastructure_error\" message=\"{}\">{}</error>\n", xml_attr(message),
                       xml_escape(body));
    out += "    </testcase>\n";
  };
  const std::string why =
      "the harness, not the implementation, failed (a daemon, our rendering, our timeout) and still did after one "
      "retry in a fresh pair; not judged by any oracle";
  if (s.infrastructure_error_files.empty()) {
    one("infrastructure_error", fmt::format("{} scenarios ended in an infrastructure error", s.infrastructure_errors),
        why + "\n");
    return 1;
  }
  for (const std::string& rel : s.infrastructure_error_files)
    one("infrastructure_error " + rel, "infrastructure error: evidence in " + rel,
        why + "\nevidence: " + (run.dir / rel).string() + "\n");
  return s.infrastructure_error_files.size();
}

// Failures a known-divergence entry explains: <skipped> with the entry's what and why.
std::size_t known_divergence_cases(std::string& out, const Summary& s, const std::string& target) {
  std::size_t n = 0;
  for (const KnownDivergenceRow& k : s.known_divergences) {
    if (k.matched == 0) continue;
    ++n;
    out += fmt::format("    <testcase name=\"{}\" classname=\"ikeconform.{}\">\n",
                       xml_attr("expected deviation " + k.oracle + " " + k.id), xml_attr(target));
    out += fmt::format("      <skipped message=\"{}\"/>\n", xml_attr(fmt::format("expected deviation (known divergence "
                                                                                 "{}): {} in {} scenario failures: {}",
                                                                                 k.id, k.what, k.matched, k.why)));
    out += "    </testcase>\n";
  }
  return n;
}

void property(std::string& out, std::string_view name, const std::string& value) {
  if (!value.empty())
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_attr(name), xml_attr(value));
}

void properties(std::string& out, const Summary& s, const std::string& target) {
  out += "    <properties>\n";
  property(out, "ikeconform.version", s.version);
  property(out, "target", target);
  if (target == s.target) property(out, "target_version", s.target_version);
  property(out, "seed", s.seed);
  property(out, "shard", s.shard.empty() ? fmt::format("merged {}", fmt::join(s.shards, " ")) : s.shard);
  property(out, "class", s.scenario_class);
  property(out, "scenarios", std::to_string(s.scenarios));
  property(out, "scenarios_per_s", fmt::format("{:.1f}", s.scenarios_per_s));
  property(out, "complete", s.complete ? "true" : "false");
  property(out, "baseline", s.baseline);
  for (const auto& [k, v] : s.options) property(out, "option." + k, v);
  out += "    </properties>\n";
}

}  // namespace

std::string render_junit(const Run& run) {
  const Summary& s = run.summary;
  const std::vector<std::string> targets = targets_of(s);
  Counts all;
  for (const OracleRow& r : s.oracles) all.add(r.status);
  // The elapsed time belongs to the whole run; a suite gets it only when it is the only one.
  const std::string time = fmt::format("{:.3f}", s.elapsed_s);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string suites;
  std::size_t errors = 0, tests = all.tests;
  for (const std::string& target : targets) {
    Counts c;
    for (const OracleRow& r : s.oracles)
      if (r.target == target) c.add(r.status);
    std::string cases;
    for (const OracleRow& r : s.oracles)
      if (r.target == target) testcase(cases, run, r);
    std::size_t e = 0, k = 0;
    if (target == s.target) {  // the runs belong to the main target
      e = infrastructure_cases(cases, run, target);
      k = known_divergence_cases(cases, s, target);
    }
    errors += e;
    tests += e + k;
    suites += fmt::format(
        "  <testsuite name=\"ikeconform.{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"{}>\n",
        xml_attr(target), c.tests + e + k, c.failures, e, c.skipped + k,
        targets.size() == 1 ? " time=\"" + time + "\"" : "");
    properties(suites, s, target);
    suites += cases;
    suites += "  </testsuite>\n";
  }
  out +=
      fmt::format("<testsuites name=\"ikeconform campaign\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n",
                  tests, all.failures, errors, time);
  out += suites;
  out += "</testsuites>\n";
  return out;
}

}  // namespace ikeconform::reports
