// `ikeconform replay FILE`: run a saved counterexample (or any scenario/1 file) in both directions
// on the model and re-check the oracle(s). Exit 1 while an oracle still fails.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/counterexample.hpp"
#include "model/input_error.hpp"
#include "model/scenario_json.hpp"
#include "oracles/facts.hpp"
#include "oracles/oracle.hpp"

namespace ikeconform::cli {
namespace {

struct ReplayArgs {
  std::string file;
  std::vector<std::string> oracles;
  std::vector<std::string> model_options;
};

int run_replay(const ReplayArgs& a) {
  const Scenario s = load_scenario_file(a.file);
  const auto recorded = read_recorded(a.file);
  ModelOptions opt;
  // The options the campaign ran with come first, so a counterexample replays as it failed.
  if (recorded)
    for (const std::string& kv : recorded->options)
      if (auto err = set_model_option(opt, kv)) throw InputError(observations_path_for(a.file).string(), 0, *err);
  for (const std::string& kv : a.model_options)
    if (auto err = set_model_option(opt, kv)) throw InputError("--model-option", 0, *err);
  std::vector<const Oracle*> oracles;
  std::vector<std::string> ids = a.oracles;
  if (ids.empty() && recorded) ids.push_back(recorded->oracle);
  for (const std::string& id : ids) {
    const Oracle* o = find_oracle(id);
    if (!o) throw InputError("--oracle", 0, "unknown oracle '" + id + "'");
    oracles.push_back(o);
  }
  if (oracles.empty()) oracles = all_oracles();
  opt.trace = false;
  ModelTarget target(opt);
  Observation obs[2];
  target.run_both(s, obs);
  const auto ev = evaluate_all(oracles, s, obs, target, opt);
  fmt::print("replay: {} (IKEv{})\n", a.file, static_cast<int>(s.ike_version));
  for (const Observation& o : obs) fmt::print("  {}\n", facts::direction_text(s, o));
  bool failed = false;
  for (std::size_t k = 0; k < ev.size(); ++k) {
    const OracleResult& r = ev[k].result;
    failed |= r.verdict == Verdict::Fail;
    fmt::print("  {} {}{}\n", oracles[k]->id(), verdict_text(r.verdict), r.message.empty() ? "" : ": " + r.message);
  }
  return failed ? 1 : 0;
}

}  // namespace

void register_replay(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand("replay", "Re-run a saved counterexample and re-check its oracle(s)");
  cmd->add_option("file", a->file, "Counterexample scenario (DIR/counterexamples/P-1-1.json) or any scenario/1 file")->required();
  cmd->add_option("--oracle", a->oracles, "Oracles to check (default: the recorded one, else all)");
  cmd->add_option("--model-option", a->model_options, "KEY=VALUE on top of the recorded options: " + model_option_help());
  cmd->callback([a, &out] { out.exit_code = run_replay(*a); });
}

}  // namespace ikeconform::cli
