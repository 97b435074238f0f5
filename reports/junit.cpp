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
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml_attr(fmt::format("expected deviation: failed in {} "
                                                                                   "of {} scenarios, as the baseline "
                                                                                   "expects",
                                                                                   r.failed, r.checked)));
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
  out +=
      fmt::format("<testsuites name=\"ikeconform campaign\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">\n",
                  all.tests, all.failures, time);
  for (const std::string& target : targets) {
    Counts c;
    for (const OracleRow& r : s.oracles)
      if (r.target == target) c.add(r.status);
    out += fmt::format(
        "  <testsuite name=\"ikeconform.{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\"{}>\n",
        xml_attr(target), c.tests, c.failures, c.skipped, targets.size() == 1 ? " time=\"" + time + "\"" : "");
    properties(out, s, target);
    for (const OracleRow& r : s.oracles)
      if (r.target == target) testcase(out, run, r);
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace ikeconform::reports
