// `ikeconform replay FILE`: run a saved counterexample (or any scenario/1 file) in both directions
// on a target (the model, or the real one it came from) and re-check the oracle(s). Exit 1 while
// an oracle still fails.
#include <fmt/format.h>

#include <filesystem>
#include <iterator>

#include "campaign/campaign.hpp"
#include "campaign/counterexample.hpp"
#include "campaign/targets.hpp"
#include "model/input_error.hpp"
#include "model/scenario_json.hpp"
#include "oracles/facts.hpp"
#include "oracles/oracle.hpp"
#include "oracles/universal.hpp"

namespace ikeconform::campaign {
namespace {

ModelOptions replay_options(const ReplaySpec& a, const std::optional<Recorded>& recorded) {
  ModelOptions opt;
  // The options the campaign ran with come first, so a counterexample replays as it failed.
  if (recorded)
    for (const std::string& kv : recorded->options)
      if (auto err = set_model_option(opt, kv)) throw InputError(observations_path_for(a.file).string(), 0, *err);
  for (const std::string& kv : a.model_options)
    if (auto err = set_model_option(opt, kv)) throw InputError("--model-option", 0, *err);
  return opt;
}

// Named oracles (each must apply), else the recorded one, else every oracle of the target.
std::vector<const Oracle*> replay_oracles(const ReplaySpec& a, const std::optional<Recorded>& recorded,
                                          const TargetTraits& t, bool multi, std::vector<std::string>& notes) {
  std::vector<std::string> ids = a.oracles;
  if (ids.empty() && recorded) ids.push_back(recorded->oracle);
  std::vector<const Oracle*> out;
  for (const std::string& id : ids) {
    const Oracle* o = find_oracle(id);
    if (!o) throw InputError("--oracle", 0, "unknown oracle '" + id + "'");
    if (o->cross_target() ? !multi : !o->applies_to(t)) {
      notes.push_back(fmt::format("{} does not apply to target {}; not checked", id, t.name));
      continue;
    }
    out.push_back(o);
  }
  if (ids.empty()) out = oracles_for(t);
  return out;
}

// DIFF-MODEL's two sides, field by field, when a real target disagrees with the model.
void print_model_diff(std::string& out, const Scenario& s, const Observation (&obs)[2], const ModelOptions& opt,
                      bool observes_child_sa) {
  ModelOptions quiet = opt;
  quiet.trace = false;
  Observation want[2];
  model_prediction(s, quiet, want, observes_child_sa);
  for (int d = 0; d < 2; ++d)
    for (const ObservationDiff& x : diff(s, want[d], obs[d]))
      fmt::format_to(std::back_inserter(out), "    {} {}: model {}, target {}\n", s.peers[obs[d].initiator].name,
                     x.field, x.expected.empty() ? "(none)" : x.expected, x.actual.empty() ? "(none)" : x.actual);
}

}  // namespace

ReplayResult replay(const ReplaySpec& a) {
  ReplayResult result;
  std::string& out = result.text;
  const Scenario loaded = load_scenario_file(a.file);
  const auto recorded = read_recorded(a.file);
  ModelOptions opt = replay_options(a, recorded);
  const std::string name = !a.target.empty()                       ? a.target
                           : recorded && !recorded->target.empty() ? recorded->target
                                                                   : "model";
  StopSignals signals;
  TargetConfig tc;
  tc.options = opt;
  tc.options.trace = false;
  tc.adapter_args = a.adapter_args;
  tc.adapter_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(a.adapter_timeout * 1000));
  tc.keep_dirs = a.keep_dirs;
  tc.peer_bugs = a.peer_bugs;
  auto targets = open_targets(name, 1, tc);
  tc.peer_bugs.clear();  // --peer-bug is the judged target's emulated side's, not its companions'

  Target& target = *targets.front();
  const std::vector<std::string> diff_names = !a.diff_targets.empty()        ? a.diff_targets
                                              : recorded && a.target.empty() ? recorded->diff_targets
                                                                             : std::vector<std::string>{};
  std::vector<std::unique_ptr<Target>> companion_targets;
  std::vector<Target*> companions;
  for (const std::string& d : diff_names) {
    companion_targets.push_back(std::move(open_targets(d, 1, tc).front()));
    companions.push_back(companion_targets.back().get());
  }
  std::vector<std::string> notes;
  const auto oracles = replay_oracles(a, recorded, traits_of(target), !companions.empty(), notes);
  const Scenario s = for_target(target, loaded);
  if (!a.pcap.empty() && !target.set_capture(std::filesystem::absolute(a.pcap)))
    throw InputError("--pcap", 0, "target " + name + " cannot capture");
  Observation obs[2];
  target.run_both(s, obs);
  if (!a.pcap.empty()) target.set_capture(std::nullopt);
  fmt::format_to(std::back_inserter(out), "replay: {} (IKEv{}) on {}{}\n", a.file.string(),
                 static_cast<int>(s.ike_version), name, target.version() ? " (" + *target.version() + ")" : "");
  for (const Observation& o : obs) fmt::format_to(std::back_inserter(out), "  {}\n", facts::direction_text(s, o));
  for (const std::string& n : notes) fmt::format_to(std::back_inserter(out), "  note: {}\n", n);
  bool failed = false;
  if (const std::string why = unjudgeable(s, obs); !why.empty()) {
    fmt::format_to(std::back_inserter(out), "  not judged: {}\n", why);
    for (const Observation& o : obs)
      for (const std::string& line : o.trace)
        if (o.reason == Reason::InternalError) fmt::format_to(std::back_inserter(out), "    {}\n", line);
    return result;
  }
  const auto ev = evaluate_all(oracles, s, obs, target, opt, companions);
  for (std::size_t k = 0; k < ev.size(); ++k) {
    const OracleResult& r = ev[k].result;
    failed |= r.verdict == Verdict::Fail;
    fmt::format_to(std::back_inserter(out), "  {} {}{}\n", oracles[k]->id(), verdict_text(r.verdict),
                   r.message.empty() ? "" : ": " + r.message);
    if (oracles[k]->differential() && r.verdict == Verdict::Fail)
      print_model_diff(out, s, obs, opt, target.observes_child_sa());
    if (oracles[k]->cross_target())
      for (const auto& rel : ev[k].related)
        for (const Observation& o : rel->obs)
          fmt::format_to(std::back_inserter(out), "    on {}: {}\n", rel->target,
                         facts::direction_text(rel->scenario, o));
  }
  result.exit_code = failed ? 1 : 0;
  return result;
}

}  // namespace ikeconform::campaign
