// `ikeconform campaign`: generated scenarios on a target, every oracle checked, failures shrunk
// and saved as replayable files; journaled line by line so a killed run keeps what it did
// (docs/campaign.md is the contract for every file written here).
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "cli/campaign_files.hpp"
#include "cli/commands.hpp"
#include "cli/counterexample.hpp"
#include "generators/generators.hpp"
#include "model/input_error.hpp"
#include "oracles/oracle.hpp"
#include "oracles/shrink.hpp"
#include "reports/reports.hpp"

namespace ikeconform::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// SIGINT / SIGTERM: stop taking scenarios, finish the ones in flight, write the summary.
// A second signal kills the process the default way.
std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};

extern "C" void on_stop_signal(int sig) {
  if (g_signals.fetch_add(1) >= 1) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_stop.store(true);
}

struct CampaignArgs {
  std::string target = "model";
  std::uint64_t runs = 0;
  double max_total_time = 0;
  std::uint64_t seed = 1;
  std::string shard = "1/1";
  unsigned jobs = 1;
  std::vector<std::string> oracles;
  std::vector<std::string> model_options;
  std::string scenario_class = "mixed";
  std::string baseline;
  std::string write_baseline;
  bool resume = false;
  std::string out;
  std::uint64_t max_counterexamples = 3;
  std::uint64_t shrink_steps = 2000;
  CLI::Option* runs_opt = nullptr;
  CLI::Option* time_opt = nullptr;
};

// Everything the workers share. `mu` guards the journal file and `state`.
struct Campaign {
  CampaignConfig config;
  ModelOptions options;  // as the user set them (oracles derive expectations from these)
  std::vector<const Oracle*> oracles;
  rc::Gen<Scenario> generator = ikeconform::gen::mixed_scenario();
  fs::path dir;
  unsigned jobs = 1;
  std::uint64_t max_counterexamples = 3;
  std::uint64_t shrink_steps = 2000;
  std::optional<double> time_limit;
  std::unordered_set<std::uint64_t> resumed;  // indices done by earlier sessions (read-only while running)
  std::uint64_t resumed_count = 0;

  std::mutex mu;
  std::FILE* journal = nullptr;
  JournalState state;
  Clock::time_point start;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> failures{0};
  std::string error;  // the first exception a worker met (a broken target); guarded by mu

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
  void append(const std::string& line) {  // caller holds mu
    std::fwrite(line.data(), 1, line.size(), journal);
    std::fflush(journal);  // per line: a killed campaign keeps every finished scenario
  }
};

CampaignConfig config_from_args(const CampaignArgs& a, const ModelOptions& opt, std::vector<const Oracle*>& oracles) {
  CampaignConfig c;
  if (a.target != "model") throw InputError("--target", 0, "unknown target '" + a.target + "' (known: model)");
  c.target = a.target;
  c.seed = a.seed;
  auto shard = parse_shard(a.shard);
  if (!shard) throw InputError("--shard", 0, "expected K/N with 1 <= K <= N, got '" + a.shard + "'");
  c.shard = *shard;
  c.shards = {*shard};
  gen::ScenarioClass cls;
  if (!gen::parse_class(a.scenario_class, cls))
    throw InputError("--class", 0, fmt::format("unknown class '{}' (known: {})", a.scenario_class, fmt::join(gen::class_names(), ", ")));
  c.scenario_class = a.scenario_class;
  if (a.runs_opt->count()) c.runs = a.runs;
  if (a.time_opt->count()) {
    if (!(a.max_total_time > 0)) throw InputError("--max-total-time", 0, "must be a positive number of seconds");
    c.max_total_time = a.max_total_time;
  }
  if (!c.runs && !c.max_total_time) c.runs = 10000;
  if (a.oracles.empty()) oracles = all_oracles();
  for (const std::string& id : a.oracles) {
    const Oracle* o = find_oracle(id);
    if (!o) throw InputError("--oracle", 0, "unknown oracle '" + id + "' (known: P-1 .. P-9)");
    if (std::find(oracles.begin(), oracles.end(), o) == oracles.end()) oracles.push_back(o);
  }
  std::sort(oracles.begin(), oracles.end(), [](const Oracle* x, const Oracle* y) { return x->id() < y->id(); });
  for (const Oracle* o : oracles) c.oracles.emplace_back(o->id());
  c.options = describe(opt);
  return c;
}

// Opens (or, with --resume, reopens) DIR/journal.jsonl; nothing is created before every input is checked.
void open_journal(Campaign& c, bool resume) {
  const fs::path file = c.dir / "journal.jsonl";
  if (resume) {
    if (!fs::exists(file)) throw InputError(file.string(), 0, "no journal to resume");
    std::uintmax_t valid = 0;
    JournalState old = read_journal(file, &valid);
    if (std::string d = config_difference(old.config, c.config, true); !d.empty())
      throw InputError(file.string(), 1, "--resume with another campaign: " + d);
    fs::resize_file(file, valid);  // drop a line torn by a kill
    const CampaignConfig mine = c.config;
    c.state = std::move(old);
    c.state.config = mine;  // --runs / --max-total-time may change between sessions
    c.state.elapsed_s = c.state.total_elapsed();
    c.state.session_t = 0;
    c.state.ended = false;
    c.state.interrupted = false;
    c.resumed = c.state.done;
    c.resumed_count = c.state.scenarios;
  } else {
    if (fs::exists(file)) throw InputError(file.string(), 0, "exists; pass --resume to continue that campaign or choose another --out");
    c.state.config = c.config;
  }
  fs::create_directories(c.dir / "counterexamples");
  c.journal = std::fopen(file.string().c_str(), "ab");
  if (!c.journal) throw InputError(file.string(), 0, "cannot open for writing");
  std::lock_guard lock(c.mu);
  if (resume) c.append(fmt::format("{{\"type\":\"resume\",\"at_scenarios\":{}}}\n", c.resumed_count));
  else c.append(header_json(c.config).dump() + "\n");
}

std::string scenario_line(const Campaign& c, std::uint64_t index, const Scenario& s, const Observation (&obs)[2],
                          const std::vector<Evaluation>& ev, std::vector<std::pair<std::string, std::string>>& results) {
  std::string line = fmt::format(R"({{"type":"scenario","index":{},"class":"{}","ike_version":{},"cas":{},"up":[{},{}],"results":{{)",
                                 index, gen::generated_class(s), static_cast<int>(s.ike_version), s.cas.size(), obs[0].up(),
                                 obs[1].up());
  for (std::size_t k = 0; k < ev.size(); ++k) {
    const std::string_view v = verdict_text(ev[k].result.verdict);
    results.emplace_back(std::string(c.oracles[k]->id()), std::string(v));
    fmt::format_to(std::back_inserter(line), R"({}"{}":"{}")", k ? "," : "", c.oracles[k]->id(), v);
  }
  fmt::format_to(std::back_inserter(line), R"(}},"t":{:.3f}}})", c.seconds());
  line += '\n';
  return line;
}

void save_counterexample(Campaign& c, Target& target, const rc::Shrinkable<Scenario>& tree, const Scenario& s, const Oracle& oracle,
                         const Evaluation& failed, std::uint64_t index) {
  std::uint64_t n = 0;
  {
    std::lock_guard lock(c.mu);
    std::uint64_t& saved = c.state.saved[std::string(oracle.id())];
    if (saved >= c.max_counterexamples) return;
    n = ++saved;
  }
  const Judge judge = [&](const Scenario& candidate) {
    if (g_stop.load()) return OracleResult{Verdict::Skip, "stopping"};
    try {
      Observation o[2];
      target.run_both(candidate, o);
      return evaluate(oracle, candidate, o, target, c.options).result;
    } catch (const std::exception& e) {  // a candidate the target cannot run is not a counterexample
      return OracleResult{Verdict::Skip, e.what()};
    }
  };
  const ShrinkResult r = shrink(&tree, s, failed.result, judge, c.shrink_steps);
  CounterexampleInfo info{&oracle, c.config.target, c.options, c.config.seed, index, n, r.steps};
  const SavedCounterexample saved = write_counterexample(c.dir, r.scenario, info);
  const std::string line =
      fmt::format(R"({{"type":"counterexample","oracle":"{}","n":{},"index":{},"message":{},"scenario":"{}","observations":"{}","ios":{},"cas":{},"shrink_steps":{},"t":{:.3f}}})",
                  oracle.id(), n, index, nlohmann::json(saved.message).dump(), saved.scenario, saved.observations,
                  nlohmann::json(saved.ios).dump(), r.scenario.cas.size(), r.steps, c.seconds()) +
      "\n";
  std::lock_guard lock(c.mu);
  c.append(line);
  c.state.tally[std::string(oracle.id())].counterexamples.push_back(saved.scenario);
}

void run_one(Campaign& c, Target& target, std::uint64_t index) {
  const rc::Shrinkable<Scenario> tree = gen::generate(c.generator, c.config.seed, index);
  const Scenario s = tree.value();
  Observation obs[2];
  target.run_both(s, obs);
  const std::vector<Evaluation> ev = evaluate_all(c.oracles, s, obs, target, c.options);
  std::vector<std::pair<std::string, std::string>> results;
  const std::string line = scenario_line(c, index, s, obs, ev, results);
  {
    std::lock_guard lock(c.mu);
    c.append(line);
    c.state.add_scenario(index, results);
  }
  c.finished.fetch_add(1);
  for (std::size_t k = 0; k < ev.size(); ++k)
    if (ev[k].result.verdict == Verdict::Fail) {
      c.failures.fetch_add(1);
      save_counterexample(c, target, tree, s, *c.oracles[k], ev[k], index);
    }
}

void worker(Campaign& c) {
  ModelOptions fast = c.options;
  fast.trace = false;  // the trace is only formatted for saved counterexamples
  const auto target = make_target(c.config.target, fast);
  const Shard shard = *c.config.shard;
  while (!g_stop.load()) {
    if (c.time_limit && c.seconds() >= *c.time_limit) break;
    const std::uint64_t m = c.next.fetch_add(1);
    const std::uint64_t index = (shard.index - 1) + m * shard.count;
    if (c.config.runs && index >= *c.config.runs) break;
    if (c.resumed.count(index)) continue;
    try {
      run_one(c, *target, index);
    } catch (const std::exception& e) {  // keep what is journaled, stop, report (exit 2)
      std::lock_guard lock(c.mu);
      if (c.error.empty()) c.error = fmt::format("scenario {}: {}", index, e.what());
      g_stop.store(true);
    }
  }
}

// On a terminal only: done, rate, failures, time left.
void progress(Campaign& c, const std::atomic<bool>& done) {
  if (!isatty(STDERR_FILENO)) return;
  const std::uint64_t shard_total =
      c.config.runs ? (*c.config.runs + c.config.shard->count - c.config.shard->index) / c.config.shard->count : 0;
  while (!done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const double t = c.seconds();
    const std::uint64_t f = c.finished.load();
    const double rate = t > 0 ? static_cast<double>(f) / t : 0;
    const std::uint64_t all = f + c.resumed_count;
    double left = c.time_limit ? *c.time_limit - t : 0;
    if (shard_total && rate > 0) {
      const double by_runs = static_cast<double>(shard_total > all ? shard_total - all : 0) / rate;
      left = c.time_limit ? std::min(left, by_runs) : by_runs;
    }
    fmt::print(stderr, "\r\033[Kcampaign: {}{} scenarios, {:.0f}/s, {} failures, {:.0f}s left", all,
               shard_total ? fmt::format("/{}", shard_total) : "", rate, c.failures.load(), std::max(0.0, left));
    std::fflush(stderr);
  }
  fmt::print(stderr, "\r\033[K");
}

// DIR/report.html and DIR/junit.xml (docs/reports.md). The verdict is the summary's: a report
// that cannot be written is a warning, `ikeconform report DIR` can retry it.
void write_reports_of(const fs::path& dir) {
  try {
    reports::write_reports(dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ikeconform: warning: reports not written: {}\n", e.what());
  }
}

void print_table(const nlohmann::ordered_json& summary, const fs::path& dir) {
  fmt::print("campaign: {} scenarios in {:.2f}s ({:.0f}/s), seed {}, results in {}\n", summary["scenarios"].get<std::uint64_t>(),
             summary["elapsed_s"].get<double>(), summary["scenarios_per_s"].get<double>(), summary["seed"].get<std::uint64_t>(),
             dir.string());
  for (const auto& o : summary["oracles"])
    fmt::print("  {:<4} {:<18} checked {:>8}  failed {:>7}  skipped {:>8}{}\n", o["id"].get<std::string>(),
               o["status"].get<std::string>(), o["checked"].get<std::uint64_t>(), o["failed"].get<std::uint64_t>(),
               o["skipped"].get<std::uint64_t>(),
               o["counterexamples"].empty() ? "" : "  e.g. " + o["counterexamples"][0].get<std::string>());
}

int run_campaign(const CampaignArgs& a) {
  ModelOptions opt;
  for (const std::string& kv : a.model_options)
    if (auto err = set_model_option(opt, kv)) throw InputError("--model-option", 0, *err);
  if (a.jobs < 1 || a.jobs > 256) throw InputError("--jobs", 0, "must be between 1 and 256");
  Campaign c;
  c.config = config_from_args(a, opt, c.oracles);
  c.options = opt;
  c.generator = gen::scenario_of([&] {
    gen::ScenarioClass k;
    gen::parse_class(a.scenario_class, k);
    return k;
  }());
  c.dir = a.out;
  c.jobs = a.jobs;
  c.max_counterexamples = a.max_counterexamples;
  c.shrink_steps = a.shrink_steps;
  c.time_limit = c.config.max_total_time;
  BaselineCheck baseline;
  if (!a.baseline.empty()) {
    baseline.path = a.baseline;
    baseline.expected = read_baseline(a.baseline);
  }
  open_journal(c, a.resume);

  g_stop.store(false);
  g_signals.store(0);
  auto old_int = std::signal(SIGINT, on_stop_signal);
  auto old_term = std::signal(SIGTERM, on_stop_signal);
  c.start = Clock::now();
  std::atomic<bool> done{false};
  std::thread bar([&] { progress(c, done); });
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < c.jobs; ++j) workers.emplace_back([&] { worker(c); });
  for (std::thread& t : workers) t.join();
  done.store(true);
  bar.join();
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);

  const double session = c.seconds();
  const bool interrupted = g_stop.load();
  {
    std::lock_guard lock(c.mu);
    c.append(fmt::format(R"({{"type":"end","scenarios":{},"session_scenarios":{},"elapsed_s":{:.3f},"interrupted":{}}})", c.state.scenarios,
                         c.finished.load(), session, interrupted) +
             "\n");
    std::fclose(c.journal);
    c.state.elapsed_s += session;
    c.state.ended = true;
    c.state.interrupted = interrupted;
  }
  bool matches = true;
  const auto summary = summary_json(c.state, baseline, &matches);
  write_file_atomic(c.dir / "summary.json", summary.dump(2) + "\n");
  if (!a.write_baseline.empty()) write_file_atomic(a.write_baseline, baseline_json(c.state).dump(2) + "\n");
  write_reports_of(c.dir);
  print_table(summary, c.dir);
  if (!c.error.empty()) {
    fmt::print(stderr, "ikeconform: error: {}\n", c.error);
    return 2;
  }
  if (interrupted) fmt::print("campaign: interrupted; continue with --resume\n");
  if (baseline.path) return matches ? 0 : 1;
  return c.state.any_failure() ? 1 : 0;
}

}  // namespace

void register_campaign(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<CampaignArgs>();
  CLI::App* cmd = app.add_subcommand("campaign", "Generate scenarios, run them on a target and check the oracles P-1..P-9");
  cmd->add_option("--target", a->target, "Target that runs the scenarios (model)")->capture_default_str();
  a->runs_opt = cmd->add_option("--runs", a->runs, "Campaign size: scenarios 0..N-1 over all shards (default 10000)");
  a->time_opt = cmd->add_option("--max-total-time", a->max_total_time, "Stop after S seconds");
  cmd->add_option("--seed", a->seed, "Seed (same seed, same scenarios)")->capture_default_str();
  cmd->add_option("--shard", a->shard, "K/N: only indices i with i % N == K-1")->capture_default_str();
  cmd->add_option("--jobs", a->jobs, "Worker threads")->capture_default_str();
  cmd->add_option("--oracle", a->oracles, "Check only these oracles (P-1 .. P-9; repeatable)");
  cmd->add_option("--model-option", a->model_options, "KEY=VALUE: " + model_option_help());
  cmd->add_option("--class", a->scenario_class, "Scenario class: mixed, any, symmetric, unrestricted_v1")->capture_default_str();
  cmd->add_option("--baseline", a->baseline, "Expected per-oracle status (ikeconform.baseline/1): exit 0 when matched");
  cmd->add_option("--write-baseline", a->write_baseline, "Write this run's per-oracle status as a baseline");
  cmd->add_flag("--resume", a->resume, "Continue the campaign journaled in --out");
  cmd->add_option("--out", a->out, "Output folder (journal.jsonl, summary.json, counterexamples/)")->required();
  cmd->add_option("--max-counterexamples", a->max_counterexamples, "Failures shrunk and saved per oracle")->capture_default_str();
  cmd->add_option("--shrink-steps", a->shrink_steps, "Target runs allowed per shrink")->capture_default_str();
  cmd->callback([a, &out] { out.exit_code = run_campaign(*a); });
}

}  // namespace ikeconform::cli
