#include "reports/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>

#include "model/ladder.hpp"
#include "reports/escape.hpp"
#include "reports/ladder_svg.hpp"

namespace ikeconform::reports {
namespace {

// Inline only: the page must render from a file on an air-gapped machine. The CSP forbids any
// fetch, so a mistake here shows up as a missing picture instead of a network request.
constexpr const char* kHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
)";

constexpr const char* kStyle = R"(<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #212121; margin: 0; background: #f5f7f8; }
main { max-width: 1360px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 32px 0 8px; border-bottom: 2px solid #cfd8dc; padding-bottom: 4px; }
h3 { font-size: 17px; margin: 0 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: #37474f; text-transform: uppercase; letter-spacing: .04em; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #fff; border: 1px solid #cfd8dc; border-radius: 4px; padding: 8px 10px; overflow-x: auto; margin: 0; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #cfd8dc; padding: 6px 9px; text-align: left; vertical-align: top; }
th { background: #eceff1; font-size: 13px; }
a { color: #1565c0; }
.verdict { font-size: 18px; font-weight: bold; padding: 10px 14px; border-radius: 6px; margin: 10px 0 16px; }
.verdict.bad { background: #fdecea; color: #b71c1c; border: 1px solid #e57373; }
.verdict.good { background: #e8f5e9; color: #1b5e20; border: 1px solid #81c784; }
.note { background: #fff8e1; border: 1px solid #ffe082; padding: 6px 10px; border-radius: 4px; margin: 6px 0; }
.facts th { width: 170px; }
.facts td { min-width: 360px; }
.badge { display: inline-block; font-weight: bold; font-size: 12px; padding: 2px 8px; border-radius: 10px; letter-spacing: .03em; }
.badge.passed { background: #e8f5e9; color: #1b5e20; }
.badge.failed { background: #ffebee; color: #b71c1c; }
.badge.expected_deviation { background: #fff8e1; color: #8d6e00; }
.badge.not_checked, .badge.absent { background: #eceff1; color: #546e7a; }
td.cell { min-width: 190px; }
td.cell.failed { background: #fff5f5; }
.counts { font-size: 12px; color: #455a64; margin-top: 3px; }
.matrix td.claim { max-width: 520px; }
.rules { font-size: 12px; color: #607d8b; }
article.ce { background: #fff; border: 1px solid #cfd8dc; border-left: 6px solid #c62828; border-radius: 6px; padding: 14px 18px; margin: 14px 0 24px; }
article.ce.ce-expected_deviation { border-left-color: #f9a825; }
.claim-box { background: #eceff1; border-radius: 4px; padding: 8px 12px; margin: 6px 0; }
.broke { background: #fdecea; border-radius: 4px; padding: 8px 12px; margin: 6px 0; color: #b71c1c; font-weight: bold; }
.why { background: #e3f2fd; border-radius: 4px; padding: 8px 12px; margin: 6px 0; }
.label { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #607d8b; display: block; margin-bottom: 2px; font-weight: normal; }
.broke .label { color: #c62828; }
.dirs td.down { color: #b71c1c; font-weight: bold; }
.dirs td.up { color: #1b5e20; font-weight: bold; }
.dirs tr.focus td { background: #fff5f5; }
.ladder-wrap { display: inline-block; max-width: 100%; overflow-x: auto; border: 1px solid #cfd8dc; border-radius: 4px; background: #fff; }
svg.ladder { display: block; max-width: 100%; height: auto; }
.ios { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
.ios pre { max-height: 520px; overflow: auto; }
details > summary { cursor: pointer; font-weight: bold; color: #37474f; margin: 12px 0 6px; }
details pre { max-height: 420px; overflow: auto; }
footer { color: #78909c; font-size: 12px; margin-top: 40px; }
</style>
</head>
)";

std::string esc(std::string_view s) { return xml_escape(s); }

// 24817 -> "24,817": counts are read at a glance.
std::string grouped(std::uint64_t n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

std::string status_label(Status s) {
  switch (s) {
    case Status::Passed: return "PASS";
    case Status::Failed: return "FAIL";
    case Status::ExpectedDeviation: return "EXPECTED DEVIATION";
    case Status::NotChecked: return "NOT CHECKED";
  }
  return "";
}

std::string badge(Status s) {
  return fmt::format("<span class=\"badge {}\">{}</span>", status_text(s), status_label(s));
}

std::string target_title(const Summary& s, const std::string& target) {
  return target == s.target && !s.target_version.empty() ? fmt::format("{} ({})", target, s.target_version) : target;
}

std::vector<std::string> targets_of(const Summary& s) {
  std::vector<std::string> out;
  for (const OracleRow& r : s.oracles)
    if (std::find(out.begin(), out.end(), r.target) == out.end()) out.push_back(r.target);
  return out;
}

std::vector<std::string> oracle_ids(const Summary& s) {
  std::vector<std::string> out;
  for (const OracleRow& r : s.oracles)
    if (std::find(out.begin(), out.end(), r.id) == out.end()) out.push_back(r.id);
  return out;
}

const OracleRow* row_for(const Summary& s, const std::string& id, const std::string& target) {
  for (const OracleRow& r : s.oracles)
    if (r.id == id && r.target == target) return &r;
  return nullptr;
}

// Anchors are made from positions, never from names in the files.
std::string ce_anchor(const Run& run, const std::string& rel) {
  for (std::size_t i = 0; i < run.counterexamples.size(); ++i)
    if (run.counterexamples[i].path == rel) return fmt::format("ce-{}", i + 1);
  return "";
}

std::string direction_text(const Scenario& s, const Observation& o) {
  const std::string names = fmt::format("{} \u2192 {}", s.peers[o.initiator].name, s.peers[o.responder()].name);
  if (o.up()) return names + ": UP";
  if (o.ike_sa == SaResult::Established)
    return fmt::format("{}: IKE SA up, CHILD SA DOWN at {} ({})", names, message_name(o.failed_at),
                       reason_code(o.reason));
  return fmt::format("{}: DOWN at {} ({})", names, message_name(o.failed_at), reason_code(o.reason));
}

void verdict(std::string& out, const Run& run) {
  std::size_t failed = 0, deviations = 0, checked = 0;
  for (const OracleRow& r : run.summary.oracles) {
    failed += r.status == Status::Failed;
    deviations += r.status == Status::ExpectedDeviation;
    checked += r.status != Status::NotChecked;
  }
  if (failed > 0)
    out += fmt::format("<div class=\"verdict bad\">&#x2717; {} of {} oracle results FAILED{}</div>\n", failed,
                       run.summary.oracles.size(),
                       deviations ? fmt::format(" ({} expected deviation{})", deviations, deviations == 1 ? "" : "s")
                                  : "");
  else
    out += fmt::format("<div class=\"verdict good\">&#x2713; Every checked oracle held ({} checked{})</div>\n", checked,
                       deviations ? fmt::format(", {} expected deviation{}", deviations, deviations == 1 ? "" : "s")
                                  : "");
  if (run.summary.rebuilt_from_journal)
    out +=
        "<div class=\"note\">summary.json is missing (the campaign was killed): counts were rebuilt from "
        "journal.jsonl; "
        "statements come from the counterexample files and expected deviations are unknown.</div>\n";
  else if (!run.summary.complete)
    out += "<div class=\"note\">The campaign was interrupted: the counts cover the scenarios it finished.</div>\n";
}

// Failures a known-divergence entry explains: what, why and the evidence, as the file says.
void deviations(std::string& out, const Summary& s) {
  bool any = false;
  for (const KnownDivergenceRow& k : s.known_divergences) any = any || k.matched;
  if (!any) return;
  out += fmt::format(
      "<h2 id=\"deviations\">Expected deviations</h2>\n<p>Known divergences (<code>{}</code>) that "
      "explained oracle failures of this run: journaled, not counted as failures.</p>\n",
      esc(s.known_divergences_file));
  out +=
      "<table class=\"facts\">\n<tr><th>Entry</th><th>Oracle</th><th>Failures</th><th>What, why, evidence</th></tr>\n";
  for (const KnownDivergenceRow& k : s.known_divergences) {
    if (!k.matched) continue;
    std::string ev;
    for (const std::string& e : k.evidence) ev += fmt::format("<br><code>{}</code>", esc(e));
    std::string idx;
    for (std::uint64_t i : k.scenarios) idx += (idx.empty() ? "" : ", ") + std::to_string(i);
    out += fmt::format("<tr><td><code>{}</code><br>{}</td><td>{}</td><td>{}{}</td><td><b>{}</b><br>{}{}</td></tr>\n",
                       esc(k.id), esc(k.target), esc(k.oracle), k.matched,
                       idx.empty() ? "" : " (scenarios " + idx + ")", esc(k.what), esc(k.why), ev);
  }
  out += "</table>\n";
}

void fact(std::string& out, std::string_view name, const std::string& value_html) {
  if (!value_html.empty()) out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", name, value_html);
}

void facts(std::string& out, const Run& run) {
  const Summary& s = run.summary;
  out += "<h2 id=\"run\">Run</h2>\n<table class=\"facts\">\n";
  fact(out, "Target", esc(target_title(s, s.target)));
  for (const TargetInfo& t : s.targets)
    if (t.role != "main")
      fact(out, "Compared with", esc(t.version.empty() ? t.name : fmt::format("{} ({})", t.name, t.version)));
  fact(out, "ikeconform", esc(s.version));
  fact(out, "Seed", esc(s.seed));
  fact(out, "Shard",
       esc(s.shard.empty() && !s.shards.empty() ? fmt::format("merged: {}", fmt::join(s.shards, ", ")) : s.shard));
  fact(out, "Scenario class", esc(s.scenario_class));
  fact(out, "Runs", s.runs ? grouped(*s.runs) : std::string("time-bounded"));
  fact(out, "Scenarios", grouped(s.scenarios) + (s.complete ? "" : " (interrupted)"));
  if (s.unsupported)
    fact(out, "Unsupported", grouped(s.unsupported) + " scenarios the target cannot express (not judged)");
  if (s.infrastructure_errors) {  // the harness failed, twice: not judged, never a failure
    std::string files;
    for (const std::string& rel : s.infrastructure_error_files)
      files += fmt::format("<br><a href=\"{}\"><code>{}</code></a>", esc(rel), esc(rel));
    fact(out, "Infrastructure errors",
         grouped(s.infrastructure_errors) +
             " scenarios (the harness failed, also on a retry in a fresh pair: not judged; evidence)" + files);
  }
  if (!s.known_divergences_file.empty())
    fact(out, "Known divergences",
         fmt::format("<code>{}</code>: {} entr{}", esc(s.known_divergences_file), s.known_divergences.size(),
                     s.known_divergences.size() == 1 ? "y" : "ies"));
  if (s.expected_deviations)
    fact(out, "Expected deviations",
         grouped(s.expected_deviations) +
             " oracle failures explained by known divergences (<a "
             "href=\"#deviations\">below</a>; not counted as failures)");
  fact(out, "Elapsed", fmt::format("{:.2f} s", s.elapsed_s));
  fact(out, "Scenarios/s", fmt::format("{:.1f}", s.scenarios_per_s));
  if (!s.baseline.empty())
    fact(out, "Baseline",
         fmt::format("<code>{}</code>{}", esc(s.baseline),
                     s.baseline_matches ? (*s.baseline_matches ? " (matches)" : " (<b>differs</b>)") : ""));
  std::string opts;
  for (const auto& [k, v] : s.options) opts += fmt::format("<code>{}={}</code><br>", esc(k), esc(v));
  fact(out, "Model options", opts.empty() ? "defaults" : opts);
  if (run.journal.present)
    fact(out, "Journal",
         fmt::format("{} lines, {} scenarios, {} resume{}{}", grouped(run.journal.lines),
                     grouped(run.journal.scenario_lines), run.journal.resumes, run.journal.resumes == 1 ? "" : "s",
                     run.journal.ended ? (run.journal.interrupted ? ", interrupted" : "") : ", no end line (killed?)"));
  out += "</table>\n";
}

std::string cell(const Run& run, const OracleRow* r) {
  if (!r)
    return "<td class=\"cell\"><span class=\"badge absent\">&#x2014;</span><div class=\"counts\">not run</div></td>";
  std::string links;
  for (std::size_t i = 0; i < r->counterexamples.size(); ++i)
    links += fmt::format("{}<a href=\"#{}\">#{}</a>", i ? " " : "", ce_anchor(run, r->counterexamples[i]), i + 1);
  return fmt::format(
      "<td class=\"cell {}\">{}<div class=\"counts\">checked {} &#xb7; failed {} &#xb7; skipped {}</div>{}</td>",
      status_text(r->status), badge(r->status), grouped(r->checked), grouped(r->failed), grouped(r->skipped),
      links.empty() ? "" : "<div class=\"counts\">counterexamples: " + links + "</div>");
}

void matrix(std::string& out, const Run& run) {
  const Summary& s = run.summary;
  const std::vector<std::string> targets = targets_of(s);
  out += "<h2 id=\"matrix\">Oracles</h2>\n<table class=\"matrix\">\n<tr><th>Oracle</th><th>Claim</th>";
  for (const std::string& t : targets) out += fmt::format("<th>{}</th>", esc(target_title(s, t)));
  out += "</tr>\n";
  for (const std::string& id : oracle_ids(s)) {
    const OracleRow* any = nullptr;
    for (const std::string& t : targets) any = any ? any : row_for(s, id, t);
    out += fmt::format("<tr><td><b>{}</b></td><td class=\"claim\">{}<div class=\"rules\">{}</div></td>", esc(id),
                       esc(any->statement), esc(fmt::format("{}", fmt::join(any->rules, ", "))));
    for (const std::string& t : targets) out += cell(run, row_for(s, id, t));
    out += "</tr>\n";
  }
  out += "</table>\n";
}

std::string safe_decisive_step(const Scenario& s, const Observation& o, const ModelOptions& opt) {
  try {
    return decisive_step(s, o, opt);
  } catch (const std::exception&) {
    return "";  // a personality the model does not know: the oracle message has to do
  }
}

void directions_table(std::string& out, const Counterexample& c) {
  out += "<table class=\"dirs\">\n";
  auto rows = [&](const ScenarioRun& r, int related) {
    for (std::size_t d = 0; d < r.directions.size(); ++d) {
      const bool focus = related == c.failing_related && d == c.failing_direction;
      const Observation& o = r.directions[d];
      // The run column only matters when a metamorphic oracle brought related runs.
      const std::string run_cell = c.related.empty()
                                       ? ""
                                       : fmt::format("<td>{}</td>", esc(r.relation.empty() ? "counterexample"
                                                                                           : "related: " + r.relation));
      out += fmt::format("<tr{}>{}<td class=\"{}\">{}</td><td>{}</td></tr>\n", focus ? " class=\"focus\"" : "",
                         run_cell, o.up() ? "up" : "down", esc(direction_text(r.scenario, o)),
                         focus ? "&#x25C0; drawn below" : "");
    }
  };
  rows(c.run, -1);
  for (std::size_t i = 0; i < c.related.size(); ++i) rows(c.related[i], static_cast<int>(i));
  out += "</table>\n";
}

void ios_configs(std::string& out, const Counterexample& c) {
  out += "<h4>The scenario as IOS configuration</h4>\n";
  if (c.ios.empty()) {
    out += "<p class=\"note\">No IOS rendering in the run folder for this counterexample.</p>\n";
    return;
  }
  out += "<div class=\"ios\">\n";
  for (const auto& [router, text] : c.ios)
    out += fmt::format("<div><b>{}</b><pre>{}</pre></div>\n", esc(router), esc(text));
  out += "</div>\n";
}

void counterexample(std::string& out, const Run& run, const Counterexample& c, std::size_t number, Status status) {
  const ScenarioRun& fr = c.failing_run();
  const Observation& o = c.failing_observation();
  const std::string dir = direction_text(fr.scenario, o);
  out += fmt::format("<article class=\"ce ce-{}\" id=\"ce-{}\">\n", status_text(status), number);
  out += fmt::format("<h3>#{} {} on {}: <code>{}</code></h3>\n", number, esc(c.oracle), esc(c.target), esc(c.path));
  out += fmt::format("<div>Scenario <b>{}</b> (IKEv{}){}</div>\n", esc(c.run.scenario.name),
                     static_cast<int>(c.run.scenario.ike_version),
                     c.seed.empty() ? "" : esc(fmt::format(", from seed {} index {}", c.seed, c.index)));
  out += fmt::format(
      "<div class=\"claim-box\"><span class=\"label\">Claim {}</span>{} <span class=\"rules\">{}</span></div>\n",
      esc(c.oracle), esc(c.statement), esc(fmt::format("{}", fmt::join(c.rules, ", "))));
  out += fmt::format("<div class=\"broke\"><span class=\"label\">What broke</span>{}</div>\n",
                     esc(c.message.empty() ? dir : c.message));
  const std::string why = safe_decisive_step(fr.scenario, o, c.options);
  if (!why.empty())
    out += fmt::format("<div class=\"why\"><span class=\"label\">Why (decisive step)</span>{}</div>\n", esc(why));
  out += "<h4>Both directions</h4>\n";
  directions_table(out, c);
  out += fmt::format("<h4>Message ladder: {}{}</h4>\n", esc(dir),
                     fr.relation.empty() ? "" : esc(" \u2014 related run: " + fr.relation));
  out += "<div class=\"ladder-wrap\">\n" + ladder_svg(fr.scenario, o, c.options, c.failing_at) + "</div>\n";
  ios_configs(out, c);
  out += fmt::format("<details><summary>Trace of {} ({} lines)</summary><pre>{}</pre></details>\n",
                     esc(fmt::format("{} \u2192 {}", fr.scenario.peers[o.initiator].name,
                                     fr.scenario.peers[o.responder()].name)),
                     o.trace.size(), esc(fmt::format("{}", fmt::join(o.trace, "\n"))));
  out += fmt::format("<div class=\"counts\">Replay: <code>ikeconform replay {}</code></div>\n",
                     esc((run.dir / c.path).string()));
  out += "</article>\n";
}

void counterexamples(std::string& out, const Run& run) {
  if (run.counterexamples.empty()) return;
  out += "<h2 id=\"counterexamples\">Counterexamples</h2>\n";
  for (const OracleRow& r : run.summary.oracles)
    for (const std::string& rel : r.counterexamples)
      for (std::size_t i = 0; i < run.counterexamples.size(); ++i)
        if (run.counterexamples[i].path == rel && run.counterexamples[i].oracle == r.id)
          counterexample(out, run, run.counterexamples[i], i + 1, r.status);
}

std::string opt_text(const std::optional<std::uint64_t>& v) { return v ? grouped(*v) : "&#x2014;"; }
std::string opt_text(const std::optional<double>& v, const char* unit = "") {
  return v ? fmt::format("{:.1f}{}", *v, unit) : "&#x2014;";
}

void fuzzing(std::string& out, const FuzzReport& f) {
  out += fmt::format("<h2 id=\"fuzzing\">Fuzzing</h2>\n<p>From <code>{}</code>.</p>\n", esc(f.file));
  out +=
      "<table>\n<tr><th>Fuzz target</th><th>exec/s</th><th>runs</th><th>time</th><th>coverage (cov)</th><th>features "
      "(ft)</th>"
      "<th>corpus</th><th>new corpus entries</th><th>crashes</th></tr>\n";
  for (const FuzzTarget& t : f.targets)
    out += fmt::format(
        "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</"
        "td></tr>\n",
        esc(t.name), opt_text(t.exec_per_s), opt_text(t.runs), opt_text(t.elapsed_s, " s"), opt_text(t.coverage),
        opt_text(t.features), opt_text(t.corpus_size), opt_text(t.new_corpus),
        t.crashes.empty() ? "0" : fmt::format("<b class=\"badge failed\">{}</b>", t.crashes.size()));
  out += "</table>\n";
  for (const FuzzTarget& t : f.targets)
    for (const FuzzCrash& c : t.crashes)
      out += fmt::format("<article class=\"ce\"><h3>{} {}{}</h3>{}<pre>{}</pre></article>\n", esc(t.name),
                         esc(c.kind.empty() ? "crash" : c.kind),
                         c.artifact.empty() ? "" : ": <code>" + esc(c.artifact) + "</code>",
                         c.summary.empty() ? "" : "<div class=\"broke\">" + esc(c.summary) + "</div>",
                         esc(c.reproducer));
  if (f.daemons.empty()) return;
  out +=
      "<h3 id=\"daemon-fuzzing\">Daemon fuzzing (<code>ikeconform fuzz-peer</code>)</h3>\n<table>\n<tr><th>Target</th>"
      "<th>daemon</th><th>exec/s</th><th>executions</th><th>time</th><th>distinct responses</th><th>states "
      "reached</th><th>harness errors</th><th>findings</th></tr>\n";
  for (const DaemonFuzz& d : f.daemons) {
    if (!d.unavailable.empty()) {
      out += fmt::format("<tr><td><b>{}</b></td><td colspan=\"8\">not fuzzed: {}</td></tr>\n", esc(d.target),
                         esc(d.unavailable));
      continue;
    }
    out += fmt::format(
        "<tr><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</"
        "td></tr>\n",
        esc(d.target), esc(d.daemon), opt_text(d.exec_per_s), opt_text(d.executions), opt_text(d.seconds, " s"),
        opt_text(d.distinct_responses), grouped(d.states_reached.size()),
        d.harness_failure.empty() ? opt_text(d.harness_errors)
                                  : "<b class=\"badge failed\">failed</b> " + esc(d.harness_failure),
        d.findings.empty() ? "0" : fmt::format("<b class=\"badge failed\">{}</b>", d.findings.size()));
  }
  out += "</table>\n";
  for (const DaemonFuzz& d : f.daemons) {
    if (!d.states_reached.empty()) {
      std::string states;
      for (const std::string& s : d.states_reached) states += (states.empty() ? "" : ", ") + esc(s);
      out += fmt::format("<p><b>{}</b> states reached: {}</p>\n", esc(d.target), states);
    }
    for (const DaemonFinding& x : d.findings)
      out += fmt::format(
          "<article class=\"ce\"><h3>{} {} at {}</h3><div class=\"broke\">{}</div><pre>{}</pre></article>\n",
          esc(d.target), esc(x.oracle), esc(x.point), esc(x.summary), esc(x.id));
  }
}

// Multi-target campaigns: scenario class x pair (the targets' own names as the matrix labels
// them), each companion's agreement with the main target and DIFF-STACKS's counterexamples.
void pairs_matrix(std::string& out, const Run& run) {
  const Summary& s = run.summary;
  if (s.targets.empty()) return;
  std::vector<std::string> classes;
  for (const PairCell& c : s.pairs)
    if (std::find(classes.begin(), classes.end(), c.scenario_class) == classes.end())
      classes.push_back(c.scenario_class);
  const auto label = [&](const std::string& target) {
    for (const PairCell& c : s.pairs)
      if (c.target == target && !c.pair.empty()) return c.pair;
    return target;
  };
  std::string main_name;
  for (const TargetInfo& t : s.targets)
    if (t.role == "main") main_name = t.name;
  out +=
      "<h2 id=\"pairs\">Targets</h2>\n<p>DIFF-STACKS compares every scenario's outcome on each companion with the main "
      "target <b>" +
      esc(label(main_name)) + "</b> (IKE SA, CHILD SA where both observe it, failure phase).</p>\n";
  out += "<table class=\"matrix pairs\">\n<tr><th>Scenario class</th>";
  for (const TargetInfo& t : s.targets)
    out += fmt::format("<th>{}<div class=\"rules\">{}{}</div></th>", esc(label(t.name)), esc(t.name),
                       t.version.empty() ? "" : " &#xb7; " + esc(t.version));
  out += "</tr>\n";
  for (const std::string& cls : classes) {
    out += fmt::format("<tr><td><b>{}</b></td>", esc(cls));
    for (const TargetInfo& t : s.targets) {
      const PairCell* cell = nullptr;
      for (const PairCell& c : s.pairs)
        if (c.scenario_class == cls && c.target == t.name) cell = &c;
      if (!cell) {
        out += "<td class=\"cell\"><span class=\"badge absent\">&#x2014;</span></td>";
        continue;
      }
      std::string links;
      for (std::size_t i = 0; i < cell->counterexamples.size(); ++i)
        links += fmt::format("{}<a href=\"#{}\">#{}</a>", i ? " " : "", ce_anchor(run, cell->counterexamples[i]),
                             i + 1);
      const std::string counts = fmt::format("{} scenarios &#xb7; IKE SA up in {} of {} directions",
                                             grouped(cell->scenarios), grouped(cell->ike_up),
                                             grouped(2 * cell->scenarios));
      if (t.role == "main") {
        out += fmt::format("<td class=\"cell\"><span class=\"badge\">main</span><div class=\"counts\">{}</div></td>",
                           counts);
        continue;
      }
      const Status st = cell->disagree ? Status::Failed : cell->agree ? Status::Passed : Status::NotChecked;
      out += fmt::format(
          "<td class=\"cell {}\">{}<div class=\"counts\">{}</div><div class=\"counts\">agree {} &#xb7; "
          "<b>disagree {}</b> &#xb7; not compared {}</div>{}</td>",
          status_text(st), cell->disagree ? "<span class=\"badge failed\">disagree</span>" : badge(st), counts,
          grouped(cell->agree), grouped(cell->disagree), grouped(cell->skipped),
          links.empty() ? "" : "<div class=\"counts\">counterexamples: " + links + "</div>");
    }
    out += "</tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

std::string render_html(const Run& run, const FuzzReport* fuzz) {
  const Summary& s = run.summary;
  std::string out = kHead;
  out += fmt::format("<title>{}</title>\n",
                     esc(fmt::format("ikeconform report: {} seed {}", target_title(s, s.target), s.seed)));
  out += kStyle;
  out += "<body>\n<main>\n";
  out += fmt::format(
      "<h1>ikeconform campaign report</h1>\n<div>{} &#xb7; seed {} &#xb7; {} scenarios &#xb7; {:.1f} "
      "scenarios/s</div>\n",
      esc(target_title(s, s.target)), esc(s.seed), grouped(s.scenarios), s.scenarios_per_s);
  verdict(out, run);
  matrix(out, run);
  pairs_matrix(out, run);
  facts(out, run);
  deviations(out, s);
  counterexamples(out, run);
  if (fuzz) fuzzing(out, *fuzz);
  out +=
      fmt::format("<footer>Written by ikeconform {} from the run folder <code>{}</code> (docs/reports.md).</footer>\n",
                  esc(s.version), esc(run.dir.string()));
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace ikeconform::reports
