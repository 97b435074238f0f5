// The campaign engine: generated scenarios on a target, every oracle checked, failures shrunk
// and saved as replayable files; journaled as it goes so a killed run keeps what it did
// (docs/campaign.md is the contract for every file written here).
#include "campaign/campaign.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "campaign/counterexample.hpp"
#include "campaign/files.hpp"
#include "campaign/journal.hpp"
#include "campaign/run_folder.hpp"
#include "campaign/targets.hpp"
#include "generators/generators.hpp"
#include "model/files.hpp"
#include "model/input_error.hpp"
#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"
#include "oracles/oracle.hpp"
#include "oracles/shrink.hpp"
#include "oracles/universal.hpp"
#include "reports/known_divergences.hpp"

namespace ikeconform::campaign {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// SIGINT / SIGTERM: stop taking scenarios, finish the ones in flight, write the summary, tear the
// targets down. A second signal removes every daemon, namespace and folder and kills the process
// (campaign/targets.hpp).
bool stopping() { return StopSignals::stop_requested(); }

// Real targets spend wall-clock time per run (daemons, handshakes): a shrink of 40 steps is
// 80 handshakes, ~5-15 s on strongSwan, where the model's 2000 steps take milliseconds.
constexpr std::uint64_t kRealShrinkSteps = 40;
// And a wall-clock budget per shrink on a real target: a failure whose every step waits for
// retransmissions to give up (a second or more) would otherwise hold its job for a minute. Once
// spent, the remaining candidates are not run and the smallest failure found so far is saved
// (the journal's counterexample line says so: "shrink_budget_spent").
constexpr double kRealShrinkSeconds = 5.0;

// Model campaigns: workers take this many consecutive indices at a time, so the passing ones
// journal as a few long runs (one "passed" line per worker and checkpoint).
constexpr std::uint64_t kChunk = 256;
// A worker writes its passing scenarios as one "passed" checkpoint this often (or sooner, at this
// many scenarios): a killed campaign loses at most that much work, which --resume redoes.
constexpr double kCheckpointSeconds = 1.0;
constexpr std::uint64_t kCheckpointScenarios = 1u << 16;

// Everything the workers share. `mu` guards the journal file and `state`.
struct Campaign {
  CampaignConfig config;
  ModelOptions options;  // as the user set them (oracles derive expectations from these)
  std::vector<const Oracle*> oracles;
  reports::KnownDivergences known;  // failures they explain are expected deviations
  rc::Gen<Scenario> generator = ikeconform::gen::mixed_scenario();
  fs::path dir;
  unsigned jobs = 1;
  std::uint64_t max_counterexamples = 3;
  std::uint64_t shrink_steps = 2000;
  std::optional<double> shrink_seconds;  // per shrink; real targets only
  std::optional<double> time_limit;
  IndexSet resumed;  // indices done by earlier sessions (read-only while running)
  std::uint64_t resumed_count = 0;
  std::vector<std::unique_ptr<Target>> targets;  // one per job: a real target is serial per instance
  // Multi-target campaigns: per job, one instance of every --diff-target (companions[job][k]).
  std::vector<std::vector<std::unique_ptr<Target>>> companions;
  bool real = false;   // not the model: evidence comes from the target's runs
  bool multi = false;  // --diff-target given: DIFF-STACKS runs the companions
  bool pcap = false;   // capture the failing runs of counterexamples
  // Passing scenarios as "passed" checkpoints (journal/2): model campaigns. A real (slow) target's
  // every run, and every multi-target scenario (the matrix), keeps its full line.
  bool compact = false;

  std::mutex mu;
  std::optional<JournalWriter> journal;
  JournalState state;
  Clock::time_point start;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> failures{0};
  std::string error;                // the first exception a worker met (a broken target); guarded by mu
  std::atomic<bool> broken{false};  // set with error: the other workers stop taking scenarios

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
  void append(const std::string& line) { journal->append(line); }  // caller holds mu
};

// The oracles of the campaign: every one that applies to the target, or those named (each must
// apply: P-4's claim about IOS's predefined trustpoints says nothing about strongSwan).
// DIFF-STACKS applies exactly when the campaign has companions (--diff-target), and then always
// runs: the matrix needs the companions' runs.
std::vector<const Oracle*> select_oracles(const std::vector<std::string>& ids, const TargetTraits& t, bool multi) {
  std::vector<const Oracle*> out;
  if (ids.empty()) out = oracles_for(t);
  if (multi && std::find(out.begin(), out.end(), &diff_stacks_oracle()) == out.end())
    out.push_back(&diff_stacks_oracle());
  if (ids.empty()) return out;
  for (const std::string& id : ids) {
    const Oracle* o = find_oracle(id);
    if (!o) {
      std::string known;
      for (const Oracle* k : every_oracle()) known += (known.empty() ? "" : ", ") + std::string(k->id());
      throw InputError("--oracle", 0, "unknown oracle '" + id + "' (known: " + known + ")");
    }
    if (o == &diff_stacks_oracle()) {
      if (!multi) throw InputError("--oracle", 0, "DIFF-STACKS compares targets: name the others with --diff-target");
      continue;  // added above
    }
    if (!o->applies_to(t))
      throw InputError("--oracle", 0,
                       fmt::format("{} does not apply to target {} (its claim is about: {})", id, t.name,
                                   fmt::join(o->targets(), ", ")));
    if (std::find(out.begin(), out.end(), o) == out.end()) out.push_back(o);
  }
  return out;
}

CampaignConfig config_from_args(const CampaignSpec& a, const ModelOptions& opt, const TargetTraits& traits,
                                std::vector<const Oracle*>& oracles) {
  CampaignConfig c;
  c.target = a.target;
  c.seed = a.seed;
  auto shard = parse_shard(a.shard);
  if (!shard) throw InputError("--shard", 0, "expected K/N with 1 <= K <= N, got '" + a.shard + "'");
  c.shard = *shard;
  c.shards = {*shard};
  gen::ScenarioClass cls;
  if (!gen::parse_class(a.scenario_class, cls))
    throw InputError("--class", 0,
                     fmt::format("unknown class '{}' (known: {})", a.scenario_class,
                                 fmt::join(gen::class_names(), ", ")));
  c.scenario_class = a.scenario_class;
  c.runs = a.runs;
  if (a.max_total_time) {
    if (!(*a.max_total_time > 0)) throw InputError("--max-total-time", 0, "must be a positive number of seconds");
    c.max_total_time = a.max_total_time;
  }
  if (!c.runs && !c.max_total_time) c.runs = 10000;
  oracles = select_oracles(a.oracles, traits, !a.diff_targets.empty());
  c.diff_targets = a.diff_targets;
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
    if (old.version < 2)
      throw InputError(file.string(), 1,
                       std::string("an ") + kJournalSchemaV1 +
                           " journal (written by an older ikeconform) cannot be resumed: it is still read by report, "
                           "diff and merge; start the campaign again with another --out");
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
    if (fs::exists(file))
      throw InputError(file.string(), 0, "exists; pass --resume to continue that campaign or choose another --out");
    c.state.config = c.config;
  }
  fs::create_directories(c.dir / "counterexamples");
  c.journal.emplace(file);
  std::lock_guard lock(c.mu);
  if (resume) c.append(fmt::format("{{\"type\":\"resume\",\"at_scenarios\":{}}}\n", c.resumed_count));
  else c.append(header_json(c.config).dump() + "\n");
  if (!c.known.entries.empty()) c.append(known_divergences_line(c.known));  // for reports, merge and resume
  for (const reports::KnownDivergence& e : c.known.entries) c.state.add_known(e);
  c.state.known_divergences_file = c.known.file;
}

// Why no oracle judged a scenario: the target could not express it, or the infrastructure failed
// (the harness, not the implementation: the pair runner already retried it once in a fresh pair).
struct Blocked {
  std::string kind;  // "unsupported" | "infrastructure_error" | "" (judged)
  std::string why;
  std::string file;  // error evidence, relative to the campaign folder
};

// Multi-target campaigns: the scenario's outcome on every target, and DIFF-STACKS's verdict per
// companion ("agree" | "disagree" | "skip"; the main target's entry says "main").
nlohmann::json stacks_json(const Campaign& c, const Target& target, const Scenario& s, const Observation (&obs)[2],
                           const std::vector<Evaluation>& ev) {
  nlohmann::json out = nlohmann::json::object();
  const bool judged = unjudgeable(s, obs).empty();
  out[target.name()] = {{"ike_up", {obs[0].ike_sa == SaResult::Established, obs[1].ike_sa == SaResult::Established}},
                        {"verdict", "main"}};
  const Evaluation* diff = nullptr;
  for (std::size_t k = 0; k < ev.size() && k < c.oracles.size(); ++k)
    if (c.oracles[k]->cross_target()) diff = &ev[k];
  for (const std::string& name : c.config.diff_targets) {
    nlohmann::json e = {{"verdict", "skip"}};
    if (diff)
      for (const auto& r : diff->related) {
        if (r->target != name) continue;
        e["ike_up"] = {r->obs[0].ike_sa == SaResult::Established, r->obs[1].ike_sa == SaResult::Established};
        if (!judged || !companion_unjudgeable(*r, c.options).empty()) break;
        const bool child = target.observes_child_sa() && r->observes_child_sa;
        const bool differ = outcome_difference(obs[0], r->obs[0], child) ||
                            outcome_difference(obs[1], r->obs[1], child);
        e["verdict"] = differ ? "disagree" : "agree";
      }
    out[name] = std::move(e);
  }
  return out;
}

// Per oracle of the campaign: the known-divergence entries that explain its failure (empty: none
// or not a failure).
using Deviations = std::vector<std::vector<std::string>>;

std::string scenario_line(const Campaign& c, std::uint64_t index, const Scenario& s, const Observation (&obs)[2],
                          const std::vector<Evaluation>& ev, const Blocked& blocked, const Deviations& deviations,
                          std::vector<std::pair<std::string, std::string>>& results, const nlohmann::json* stacks) {
  std::string line =
      fmt::format(R"({{"type":"scenario","index":{},"class":"{}","ike_version":{},"cas":{},"up":[{},{}],)", index,
                  gen::generated_class(s), static_cast<int>(s.ike_version), s.cas.size(), obs[0].up(), obs[1].up());
  if (!blocked.kind.empty())
    line += fmt::format(R"("{}":{},)", blocked.kind,
                        nlohmann::json(blocked.why).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!blocked.file.empty()) line += fmt::format(R"("error_file":{},)", nlohmann::json(blocked.file).dump());
  line += R"("results":{)";
  nlohmann::json explained = nlohmann::json::object();
  for (std::size_t k = 0; k < ev.size(); ++k) {
    const bool expected = k < deviations.size() && !deviations[k].empty();
    const std::string_view v = expected ? "expected_deviation" : verdict_text(ev[k].result.verdict);
    results.emplace_back(std::string(c.oracles[k]->id()), std::string(v));
    fmt::format_to(std::back_inserter(line), R"({}"{}":"{}")", k ? "," : "", c.oracles[k]->id(), v);
    if (expected) explained[std::string(c.oracles[k]->id())] = deviations[k];
  }
  line += "}";
  if (!explained.empty())
    line += R"(,"expected_deviations":)" + explained.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (stacks) line += R"(,"stacks":)" + stacks->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  fmt::format_to(std::back_inserter(line), R"(,"t":{:.3f}}})", c.seconds());
  line += '\n';
  return line;
}

OracleResult skip_result(std::string why) { return {Verdict::Skip, std::move(why), -1, -1, Message::None}; }

// Runs `s` both ways on the target and judges one oracle; nullopt when the runs are unjudgeable.
struct Judged {
  Evidence evidence;
  bool judgeable = false;
};
Judged judge_once(const Campaign& c, Target& target, const Scenario& s, const Oracle& oracle,
                  const std::vector<Target*>& companions) {
  Judged j;
  target.run_both(s, j.evidence.obs);
  // An infrastructure error or an unsupported candidate is never "the same failure": a shrink
  // does not move toward it.
  if (const std::string why = unjudgeable(s, j.evidence.obs); !why.empty()) {
    j.evidence.evaluation.result = skip_result(why);
    return j;
  }
  j.evidence.evaluation = evaluate(oracle, s, j.evidence.obs, target, c.options, companions);
  j.judgeable = true;
  return j;
}

// --pcap: the shrunk scenario once more with the target capturing, next to the counterexample.
// The captured runs become the evidence when they still fail (the file then shows exactly them).
void capture_rerun(Campaign& c, Target& target, const Scenario& s, const Oracle& oracle, std::uint64_t n,
                   Evidence& evidence, const std::vector<Target*>& companions) {
  const std::string rel = counterexample_stem(oracle, n) + ".pcap";
  if (!target.set_capture(std::filesystem::absolute(c.dir / rel))) return;
  Judged again;
  try {
    again = judge_once(c, target, s, oracle, companions);
  } catch (const std::exception& e) {
    again.evidence.evaluation.result = skip_result(e.what());
  }
  target.set_capture(std::nullopt);
  if (!std::filesystem::exists(c.dir / rel)) return;
  if (again.judgeable && again.evidence.evaluation.result.verdict == Verdict::Fail) {
    evidence = std::move(again.evidence);
  } else {
    evidence.note = "the captured re-run did not fail again (" + again.evidence.evaluation.result.message +
                    "): the pcap shows a passing run; the observations are the failing ones";
  }
  evidence.pcap = rel;
}

// Shrinking on a real target, where every step is two real handshakes: the model, which runs a
// scenario in microseconds, does the searching wherever it can, and the target confirms.
// When the model shows the same failure on the scenario (P-1 broken by a personality the model
// knows), the model shrinks it all the way (RapidCheck's tree, then the structural pass) and the
// real target runs only the result: one step when it fails there too. Otherwise (DIFF-MODEL,
// failures the model does not predict, a model result the target does not confirm) the real
// target shrinks structurally: a removed CA halves the scenario in one step, where RapidCheck's
// tree takes many.
ShrinkResult guided_shrink(Campaign& c, Target& target, const rc::Shrinkable<Scenario>& tree, const Scenario& s,
                           const Oracle& oracle, const OracleResult& failed, const Judge& judge) {
  ModelOptions quiet = c.options;
  quiet.trace = false;
  ModelTarget model(quiet);
  const Judge on_model = [&](const Scenario& candidate) {
    const Scenario run = for_target(target, candidate);
    Observation o[2];
    model.run_both(run, o);
    if (const std::string why = unjudgeable(run, o); !why.empty()) return skip_result(why);
    OracleResult got = evaluate(oracle, run, o, model, c.options).result;
    if (got.verdict == Verdict::Fail && got.kind != failed.kind) return skip_result("fails another way");
    return got;
  };
  std::size_t spent = 0;
  if (const OracleResult predicted = on_model(s); predicted.verdict == Verdict::Fail) {
    const ShrinkResult m = shrink(&tree, s, predicted, on_model, 2000);
    const ShrinkResult ms = shrink(nullptr, m.scenario, m.result, on_model, 2000);
    if (ms.scenario == s) return {s, failed, 0, 0};  // nothing smaller fails on the model either
    ++spent;
    if (OracleResult confirmed = judge(ms.scenario); confirmed.verdict == Verdict::Fail)
      return {ms.scenario, std::move(confirmed), spent, m.accepted + ms.accepted};
  }
  ShrinkResult r = shrink(nullptr, s, failed, judge, c.shrink_steps > spent ? c.shrink_steps - spent : 0);
  r.steps += spent;
  return r;
}

void save_counterexample(Campaign& c, Target& target, const rc::Shrinkable<Scenario>& tree, const Scenario& s,
                         const Observation (&obs)[2], const Oracle& oracle, const Evaluation& failed,
                         std::uint64_t index, const std::vector<Target*>& companions) {
  std::uint64_t n = 0;
  {
    std::lock_guard lock(c.mu);
    std::uint64_t& saved = c.state.saved[std::string(oracle.id())];
    if (saved >= c.max_counterexamples) return;
    n = ++saved;
  }
  // Real targets and cross-target oracles: the evidence is what the runs saw (the model alone
  // cannot re-create a companion's observation).
  const bool with_evidence = c.real || oracle.cross_target();
  std::optional<std::pair<Scenario, Evidence>> last_failure;  // what the shrink saw last
  const Clock::time_point shrink_start = Clock::now();
  std::size_t unrun = 0;  // judge calls refused for the budget: steps that ran nothing
  const Judge judge = [&](const Scenario& candidate) {
    if (stopping()) return skip_result("stopping");
    if (c.shrink_seconds && std::chrono::duration<double>(Clock::now() - shrink_start).count() >= *c.shrink_seconds) {
      ++unrun;
      return skip_result("shrink time budget spent");
    }
    try {
      const Scenario run = for_target(target, candidate);
      Judged j = judge_once(c, target, run, oracle, companions);
      const OracleResult& got = j.evidence.evaluation.result;
      if (got.verdict == Verdict::Fail && got.kind != failed.result.kind)  // another failure: keep shrinking this one
        return skip_result("fails another way (" + got.kind + ")");
      if (with_evidence && j.judgeable && got.verdict == Verdict::Fail) last_failure.emplace(run, j.evidence);
      return got;
    } catch (const std::exception& e) {  // a candidate the target cannot run is not a counterexample
      return skip_result(e.what());
    }
  };
  ShrinkResult r = c.real && !oracle.cross_target() ? guided_shrink(c, target, tree, s, oracle, failed.result, judge)
                                                    : shrink(&tree, s, failed.result, judge, c.shrink_steps);
  r.steps -= std::min(r.steps, unrun);
  const Scenario shrunk = for_target(target, r.scenario);
  CounterexampleInfo info{&oracle, c.config.target, c.options, c.config.seed, index, n, r.steps};
  SavedCounterexample saved;
  if (with_evidence) {
    Evidence evidence;
    if (last_failure && last_failure->first == shrunk) evidence = last_failure->second;
    else if (shrunk == s) evidence = Evidence{{obs[0], obs[1]}, failed, {}, {}};
    else evidence = judge_once(c, target, shrunk, oracle, companions).evidence;  // not seen failing last: look again
    if (c.pcap && !stopping()) capture_rerun(c, target, shrunk, oracle, n, evidence, companions);
    saved = write_counterexample(c.dir, shrunk, info, &target, &evidence);
  } else {
    saved = write_counterexample(c.dir, shrunk, info);
  }
  nlohmann::ordered_json line = {{"type", "counterexample"},
                                 {"oracle", std::string(oracle.id())},
                                 {"n", n},
                                 {"index", index},
                                 {"message", saved.message},
                                 {"scenario", saved.scenario},
                                 {"observations", saved.observations},
                                 {"ios", saved.ios}};
  if (c.real) line["configs"] = saved.configs;
  if (oracle.cross_target()) {  // the matrix cell it belongs to: the companion named by the failure's kind
    line["class"] = std::string(gen::generated_class(tree.value()));
    const std::string kind = failed.result.kind;
    line["companion"] = kind.substr(0, kind.rfind(':'));
  }
  if (!saved.pcap.empty()) line["pcap"] = saved.pcap;
  line["cas"] = r.scenario.cas.size();
  line["shrink_steps"] = r.steps;
  if (unrun) line["shrink_budget_spent"] = *c.shrink_seconds;
  line["t"] = std::round(c.seconds() * 1000) / 1000;
  const std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  std::lock_guard lock(c.mu);
  c.append(text);
  c.state.tally[std::string(oracle.id())].counterexamples.push_back(saved.scenario);
  if (line.contains("companion"))  // the matrix cell links it (read_journal does the same)
    c.state.matrix[line["class"].get<std::string>()][line["companion"].get<std::string>()].counterexamples.push_back(
        saved.scenario);
}

// The evidence of an infrastructure error (the observations' traces: cause, daemon status, command
// lines and log tails, adapter stderr) for a person to read later.
std::string save_error(Campaign& c, std::uint64_t index, const Scenario& s, const Observation (&obs)[2]) {
  const std::string rel = "errors/scenario-" + std::to_string(index) + ".json";
  nlohmann::ordered_json j;
  j["index"] = index;
  j["scenario"] = scenario_to_json(s);
  j["directions"] = {observation_to_json(s, obs[0]), observation_to_json(s, obs[1])};
  std::filesystem::create_directories(c.dir / "errors");
  write_file_atomic(c.dir / rel, j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  return rel;
}

Blocked blocked_by(Campaign& c, std::uint64_t index, const Scenario& s, const Observation (&obs)[2]) {
  Blocked b;
  b.why = unjudgeable(s, obs);
  if (b.why.empty()) return b;
  const bool error = is_infrastructure_error(obs[0]) || is_infrastructure_error(obs[1]);
  b.kind = error ? "infrastructure_error" : "unsupported";
  if (error) b.file = save_error(c, index, s, obs);
  return b;
}

// One worker's passing scenarios since its last checkpoint (model campaigns).
struct Checkpoint {
  PassedBatch batch;
  double at = 0;  // session seconds of the last flush
};

// Writes the worker's passing scenarios as one "passed" line and counts them in.
void flush(Campaign& c, Checkpoint& cp) {
  cp.at = c.seconds();
  if (cp.batch.size() == 0) return;
  const std::string line = cp.batch.line(cp.at);
  {
    std::lock_guard lock(c.mu);
    c.append(line);
    cp.batch.apply_to(c.state);
  }
  c.finished.fetch_add(cp.batch.size());
  cp.batch.clear();
}

void run_one(Campaign& c, Target& target, const std::vector<Target*>& companions, std::uint64_t index, Checkpoint& cp) {
  // Only the value: the shrink tree is made again (the same, from seed and index) for the rare
  // failure, rather than kept alive through every run (it costs the model campaign its rate).
  const Scenario s = for_target(target, gen::generate(c.generator, c.config.seed, index).value());
  Observation obs[2];
  target.run_both(s, obs);
  const Blocked blocked = blocked_by(c, index, s, obs);
  std::vector<Evaluation> ev;
  if (blocked.kind.empty()) {
    ev = evaluate_all(c.oracles, s, obs, target, c.options, companions);
  } else {  // an oracle cannot judge a run that was not attempted or broke in the harness
    ev.resize(c.oracles.size());
    for (Evaluation& e : ev) e.result = skip_result(blocked.why);
  }
  // A failure every difference of which a known divergence explains is an expected deviation:
  // journaled with the entries, reported with their why, never counted as a failure or shrunk.
  Deviations deviations(ev.size());
  for (std::size_t k = 0; k < ev.size(); ++k) {
    const OracleResult& r = ev[k].result;
    if (r.verdict != Verdict::Fail || r.differences.empty()) continue;
    const reports::DivergenceQuery q{c.config.target, c.oracles[k]->id(), s.ike_version == IkeVersion::V2 ? 2 : 1,
                                     r.kind,          r.message,          &r.differences};
    for (const reports::KnownDivergence* e : reports::explain(c.known, q)) deviations[k].push_back(e->id);
  }
  bool failed = false, deviated = false;
  for (std::size_t k = 0; k < ev.size(); ++k) {
    failed |= ev[k].result.verdict == Verdict::Fail && deviations[k].empty();
    deviated |= !deviations[k].empty();
  }
  if (c.compact && blocked.kind.empty() && !failed && !deviated) {  // the common case: no line of its own
    cp.batch.add(index);
    for (std::size_t k = 0; k < ev.size(); ++k) cp.batch.verdict(k, ev[k].result.verdict == Verdict::Skip);
    if (cp.batch.size() >= kCheckpointScenarios || c.seconds() - cp.at >= kCheckpointSeconds) flush(c, cp);
    return;
  }
  std::vector<std::pair<std::string, std::string>> results;
  const nlohmann::json stacks = c.multi ? stacks_json(c, target, s, obs, ev) : nlohmann::json();
  const std::string line = scenario_line(c, index, s, obs, ev, blocked, deviations, results,
                                         c.multi ? &stacks : nullptr);
  {
    std::lock_guard lock(c.mu);
    c.append(line);
    c.state.add_scenario(index, results);
    for (const auto& ids : deviations)
      if (!ids.empty()) c.state.add_deviation(ids, index);
    if (c.multi) c.state.add_stacks(std::string(gen::generated_class(s)), stacks);
    c.state.unsupported += blocked.kind == "unsupported";
    if (blocked.kind == "infrastructure_error") c.state.add_infrastructure_error(blocked.file);
  }
  c.finished.fetch_add(1);
  std::optional<rc::Shrinkable<Scenario>> tree;
  for (std::size_t k = 0; k < ev.size(); ++k)
    if (ev[k].result.verdict == Verdict::Fail && deviations[k].empty()) {
      c.failures.fetch_add(1);
      if (!tree) tree.emplace(gen::generate(c.generator, c.config.seed, index));
      save_counterexample(c, target, *tree, s, obs, *c.oracles[k], ev[k], index, companions);
    }
}

// Takes indices of the shard (a chunk at a time on the model, one at a time on a real target, whose
// every run is seconds) until the campaign is done, stopped or broken.
void worker(Campaign& c, Target& target, const std::vector<Target*>& companions) {
  const Shard shard = *c.config.shard;
  const std::uint64_t chunk = c.compact ? kChunk : 1;
  Checkpoint cp{PassedBatch(c.oracles.size(), shard.count), c.seconds()};
  bool more = true;
  while (more) {
    const std::uint64_t first = c.next.fetch_add(chunk);
    for (std::uint64_t m = first; m < first + chunk; ++m) {
      if (stopping() || c.broken.load() || (c.time_limit && c.seconds() >= *c.time_limit)) {
        more = false;
        break;
      }
      const std::uint64_t index = (shard.index - 1) + m * shard.count;
      if (c.config.runs && index >= *c.config.runs) {
        more = false;
        break;
      }
      if (c.resumed.contains(index)) continue;
      try {
        run_one(c, target, companions, index, cp);
      } catch (const std::exception& e) {  // keep what is journaled, stop, report (exit 2)
        std::lock_guard lock(c.mu);
        if (c.error.empty()) c.error = fmt::format("scenario {}: {}", index, e.what());
        c.broken.store(true);
      }
    }
  }
  flush(c, cp);
}

// On a terminal only: done, rate, failures, time left.
void progress(Campaign& c, const std::atomic<bool>& done) {
  if (!isatty(STDERR_FILENO)) return;
  const std::uint64_t shard_total = c.config.runs ? (*c.config.runs + c.config.shard->count - c.config.shard->index) /
                                                        c.config.shard->count
                                                  : 0;
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

TargetConfig target_config(const CampaignSpec& a, const ModelOptions& opt) {
  TargetConfig tc;
  tc.options = opt;
  tc.options.trace = false;  // the model formats its trace only for saved counterexamples
  tc.temp_dir = a.temp_dir.string();
  tc.adapter_args = a.adapter_args;
  if (!(a.adapter_timeout > 0)) throw InputError("--adapter-timeout", 0, "must be a positive number of seconds");
  tc.adapter_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.adapter_timeout * 1000));
  tc.keep_dirs = a.keep_dirs;
  tc.peer_bugs = a.peer_bugs;
  return tc;
}

}  // namespace

CampaignResult run_campaign(const CampaignSpec& a) {
  ModelOptions opt;
  for (const std::string& kv : a.model_options)
    if (auto err = set_model_option(opt, kv)) throw InputError("--model-option", 0, *err);
  if (a.jobs < 1 || a.jobs > 256) throw InputError("--jobs", 0, "must be between 1 and 256");
  if (!a.resume && std::filesystem::exists(a.out / "journal.jsonl"))  // before any daemon starts
    throw InputError((a.out / "journal.jsonl").string(), 0,
                     "exists; pass --resume to continue that campaign or choose another --out");
  // The known divergences before any daemon starts: a bad file is `file:line: what`, exit 2.
  reports::KnownDivergences known = a.known_divergences.empty() ? reports::shipped_known_divergences()
                                                                : reports::load_known_divergences(a.known_divergences);
  StopSignals signals;  // from here on a Ctrl-C never leaves daemons, namespaces or folders behind
  Campaign c;
  c.known = std::move(known);
  for (const std::string& d : a.diff_targets)
    if (d == a.target || std::count(a.diff_targets.begin(), a.diff_targets.end(), d) > 1)
      throw InputError("--diff-target", 0,
                       "'" + d + "' is named twice (every target of a campaign runs once per scenario)");
  c.targets = open_targets(a.target, a.jobs, target_config(a, opt));
  c.companions.resize(a.jobs);
  bool slow = c.targets.front()->slow();
  for (const std::string& d : a.diff_targets) {
    TargetConfig companion = target_config(a, opt);
    companion.peer_bugs.clear();  // --peer-bug is the judged target's emulated side's
    auto made = open_targets(d, a.jobs, companion);
    for (unsigned j = 0; j < a.jobs; ++j) c.companions[j].push_back(std::move(made[j]));
    slow |= c.companions.front().back()->slow();
  }
  c.multi = !a.diff_targets.empty();
  c.real = !c.targets.front()->is_model();
  c.compact = !slow && !c.multi;
  c.config = config_from_args(a, opt, traits_of(*c.targets.front()), c.oracles);
  if (auto v = c.targets.front()->version()) c.config.target_version = *v;
  for (const auto& t : c.companions.front())
    if (auto v = t->version()) c.config.diff_target_versions[t->name()] = *v;
  if (a.pcap && !c.real) throw InputError("--pcap", 0, "the model sends no packets: --pcap needs a real target");
  c.pcap = a.pcap;
  c.options = opt;
  // Only what the target (and every companion) can run: generated runs are judged, not skipped.
  Expressible expressible = c.targets.front()->expressible();
  for (const auto& t : c.companions.front()) expressible = expressible & t->expressible();
  c.generator = gen::scenario_of(
      [&] {
        gen::ScenarioClass k;
        gen::parse_class(a.scenario_class, k);
        return k;
      }(),
      expressible);
  c.dir = a.out;
  c.jobs = a.jobs;
  c.max_counterexamples = a.max_counterexamples;
  c.shrink_steps = a.shrink_steps ? *a.shrink_steps : slow ? kRealShrinkSteps : 2000;
  if (a.shrink_seconds) c.shrink_seconds = *a.shrink_seconds > 0 ? a.shrink_seconds : std::nullopt;
  else if (slow) c.shrink_seconds = kRealShrinkSeconds;
  c.time_limit = c.config.max_total_time;
  BaselineCheck baseline;
  if (!a.baseline.empty()) {
    baseline.path = a.baseline;
    baseline.expected = read_baseline(a.baseline);
  }
  open_journal(c, a.resume);

  c.start = Clock::now();
  std::atomic<bool> done{false};
  std::thread bar;
  if (a.progress) bar = std::thread([&] { progress(c, done); });
  std::vector<std::thread> workers;
  std::vector<std::vector<Target*>> companions(c.jobs);
  for (unsigned j = 0; j < c.jobs; ++j)
    for (const auto& t : c.companions[j]) companions[j].push_back(t.get());
  for (unsigned j = 0; j < c.jobs; ++j)
    workers.emplace_back([&c, &companions, j] { worker(c, *c.targets[j], companions[j]); });
  for (std::thread& t : workers) t.join();
  done.store(true);
  if (bar.joinable()) bar.join();

  CampaignResult result;
  const double session = c.seconds();
  result.interrupted = stopping();
  {
    std::lock_guard lock(c.mu);
    c.append(end_line(c.state.scenarios, c.finished.load(), session, result.interrupted));
    c.journal->close();
    c.state.elapsed_s += session;
    c.state.ended = true;
    c.state.interrupted = result.interrupted;
  }
  bool matches = true;
  result.summary = summary_json(c.state, baseline, &matches);
  write_file_atomic(c.dir / "summary.json", result.summary.dump(2) + "\n");
  if (!a.write_baseline.empty()) write_file_atomic(a.write_baseline, baseline_json(c.state).dump(2) + "\n");
  try {  // DIR/report.html and DIR/junit.xml (docs/reports.md); `ikeconform report DIR` can retry
    write_reports(c.dir);
  } catch (const std::exception& e) {
    result.warnings.push_back(std::string("reports not written: ") + e.what());
  }
  c.targets.clear();  // daemons, namespaces and run folders go before the command returns
  c.companions.clear();
  result.error = c.error;
  if (!c.error.empty()) result.exit_code = 2;
  else if (baseline.path) result.exit_code = matches ? 0 : 1;
  else result.exit_code = c.state.any_failure() ? 1 : 0;
  return result;
}

}  // namespace ikeconform::campaign
