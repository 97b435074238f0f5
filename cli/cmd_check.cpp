// `ikeconform check`: both directions of one tunnel on the model, why a direction fails, and
// the smallest verified configuration changes that fix it (README "check").
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "advice/fixes.hpp"
#include "cli/check_print.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "model/engine.hpp"
#include "model/input_error.hpp"
#include "model/ladder.hpp"
#include "model/observation_json.hpp"
#include "model/personality.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::cli {
namespace {

struct CheckArgs {
  bool json = false;
  bool verbose = false;
  std::vector<std::string> inputs;
  std::vector<std::string> show_certs;
  std::vector<std::string> enrollment;
  std::vector<std::string> tunnels;
  std::vector<std::string> model_options;
  std::vector<std::string> personalities;
};

// A direction a configuration cannot initiate (DMVPN hub, dynamic crypto map) does not count.
bool all_up(const LoadedScenario& in, const Observation (&obs)[2]) {
  for (const Observation& o : obs)
    if (in.not_initiated[o.initiator].empty() && !o.up()) return false;
  return true;
}

// Issue 10: an `assumption:` line (a CA shared by both routers decided without certificate
// data) is printed only when the verdict depends on it. Evaluated both ways: as imported, and
// with the second router's trustpoints of that CA standing for another CA. The verdict is, per
// direction, what `check` prints: IKE SA, CHILD SA, where and why it failed.
bool same_verdict(const Observation& a, const Observation& b) {
  return a.ike_sa == b.ike_sa && a.child_sa == b.child_sa && a.failed_at == b.failed_at && a.reason == b.reason;
}

bool verdict_depends_on_ca(const Scenario& s, const std::string& ca_id, const ModelOptions& opt,
                           const Observation (&obs)[2]) {
  const Ca* ca = find_ca(s, ca_id);
  if (!ca) return true;  // cannot tell: keep the line
  Scenario split = s;
  std::string other = ca_id + "-other";
  while (find_ca(split, other)) other += "-";
  split.cas.push_back(Ca{other, "cn=" + other, ""});
  for (Trustpoint& t : split.peers[1].trustpoints)
    if (t.ca == ca_id) t.ca = other;
  const CompiledScenario cs = compile(split, opt);
  for (std::uint8_t i = 0; i < 2; ++i)
    if (!same_verdict(obs[i], run_direction(cs, i, opt))) return true;
  return false;
}

// "assumption: CA X: ..." lines whose verdict does not depend on them become plain notes.
void settle_assumptions(LoadedScenario& in, const ModelOptions& opt, const Observation (&obs)[2]) {
  for (std::string& note : in.notes) {
    if (note.rfind("assumption: CA ", 0) != 0) continue;
    const std::size_t colon = note.find(": ", 15);
    if (colon == std::string::npos) continue;
    if (!verdict_depends_on_ca(in.scenario, note.substr(15, colon - 15), opt, obs))
      note = note.substr(12) + "; the verdict is the same either way";
  }
}

}  // namespace

void print_direction(const Scenario& s, const Observation& o, const ModelOptions& opt,
                     const std::string& not_initiated) {
  const Peer& ip = s.peers[o.initiator];
  const Peer& rp = s.peers[o.responder()];
  if (!not_initiated.empty()) {
    fmt::print("\n{} -> {}: not initiated by design ({})\n", ip.name, rp.name, not_initiated);
    return;
  }
  if (o.up()) fmt::print("\n{} -> {}: UP (IKE SA and CHILD SA established)\n", ip.name, rp.name);
  else if (o.reason == Reason::Unsupported)  // the model cannot decide: no verdict, never a guess
    fmt::print("\n{} -> {}: UNSUPPORTED at {} (no verdict: the configurations use what the model cannot decide)\n",
               ip.name, rp.name, message_name(o.failed_at));
  else if (o.ike_sa == SaResult::Established)
    fmt::print("\n{} -> {}: IKE SA UP, CHILD SA DOWN at {}: {}\n", ip.name, rp.name, message_name(o.failed_at),
               reason_code(o.reason));
  else fmt::print("\n{} -> {}: DOWN at {}: {}\n", ip.name, rp.name, message_name(o.failed_at), reason_code(o.reason));
  for (const LadderStep& st : ladder(s, o, opt)) {
    const std::size_t to = 1 - st.from;
    fmt::print("  {}{:<21} {} -> {}  {}\n", st.failed ? "x " : "  ", st.message, s.peers[st.from].name,
               s.peers[to].name, st.payloads);
    for (const std::string& c : st.certreqs) fmt::print("  {:<23}     {}\n", "", c);
    for (const std::string& n : st.notes) fmt::print("  {:<23}   => {}\n", "", n);
  }
  if (std::string why = decisive_step(s, o, opt); !why.empty()) fmt::print("  Why: {}\n", why);
}

void print_fixes(const Scenario& s, const std::vector<Fix>& fixes) {
  if (fixes.empty()) {
    fmt::print("\nNo fix of one or two configuration changes brings both directions up.\n");
    return;
  }
  fmt::print("\nSuggested fixes (each verified by re-running the model in both directions):\n");
  for (std::size_t i = 0; i < fixes.size(); ++i) {
    fmt::print("  {}.", i + 1);
    for (std::size_t k = 0; k < fixes[i].changes.size(); ++k) {
      const Change& c = fixes[i].changes[k];
      fmt::print("{}on {}: {}\n", k == 0 ? " " : "     and ", s.peers[c.peer].name, c.summary);
      for (const std::string& line : c.ios) fmt::print("       {}\n", line);
    }
  }
}

namespace {

void print_text(const LoadedScenario& in, const ModelOptions& opt, const Observation (&obs)[2],
                const std::vector<Fix>& fixes, bool verbose) {
  const Scenario& s = in.scenario;
  fmt::print("ikeconform check: {} (IKEv{}), {} <-> {}\n", s.name.empty() ? "scenario" : s.name,
             static_cast<int>(s.ike_version), s.peers[0].name, s.peers[1].name);
  for (const std::string& note : in.notes)  // "assumption: ..." lines stand out as they are
    fmt::print("{}{}\n", note.rfind("assumption: ", 0) == 0 ? "" : "note: ", note);
  if (verbose)
    for (const std::string& line : in.skipped) fmt::print("skipped: {}\n", line);
  for (const Observation& o : obs) print_direction(s, o, opt, in.not_initiated[o.initiator]);
  if (all_up(in, obs)) {
    bool both = in.not_initiated[0].empty() && in.not_initiated[1].empty();
    fmt::print("\n{}\n", both ? "Both directions come up." : "The direction the configurations initiate comes up.");
    return;
  }
  print_fixes(s, fixes);
}

void print_json(const LoadedScenario& in, const ModelOptions& opt, const Observation (&obs)[2],
                const std::vector<Fix>& fixes, bool verbose) {
  const Scenario& s = in.scenario;
  nlohmann::ordered_json j;
  j["schema"] = "ikeconform.check/1";
  j["scenario"] = s.name;
  j["notes"] = in.notes;
  j["assumptions"] = nlohmann::ordered_json::array();
  for (const std::string& note : in.notes)
    if (note.rfind("assumption: ", 0) == 0) j["assumptions"].push_back(note.substr(12));
  if (verbose) j["skipped"] = in.skipped;
  j["directions"] = nlohmann::ordered_json::array();
  for (const Observation& o : obs) {
    auto d = observation_to_json(s, o);
    d["decisive_step"] = decisive_step(s, o, opt);
    if (!in.not_initiated[o.initiator].empty()) d["not_initiated_by_design"] = in.not_initiated[o.initiator];
    j["directions"].push_back(d);
  }
  j["fixes"] = nlohmann::ordered_json::array();
  for (const Fix& f : fixes) {
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const Change& c : f.changes)
      changes.push_back({{"router", s.peers[c.peer].name}, {"summary", c.summary}, {"ios", c.ios}});
    j["fixes"].push_back({{"changes", changes}});
  }
  std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

void register_check(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check", "Run both directions of a tunnel on the model and explain failures");
  cmd->add_flag("--json", args->json, "Print one JSON object (docs/check-json.md)");
  cmd->add_flag("--verbose", args->verbose,
                "Also list the IOS commands skipped because they cannot change negotiation");
  cmd->add_option("inputs", args->inputs, "SCENARIO.json, or two IOS configurations CONFIG_A CONFIG_B")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--show-certs", args->show_certs, "NAME=FILE: `show crypto pki certificates` output of router NAME");
  cmd->add_option("--enrollment", args->enrollment, "NAME=TP,TP,...: enrollment order of router NAME, oldest first");
  cmd->add_option("--tunnel", args->tunnels, "NAME=INTERFACE: the tunnel of router NAME to check, when it has several");
  cmd->add_option("--model-option", args->model_options, "KEY=VALUE: " + model_option_help());
  cmd->add_option("--personality", args->personalities, "NAME=PERSONALITY: run router NAME with another personality");
  cmd->callback([args, &out] {
    ModelOptions opt;
    for (const std::string& kv : args->model_options)
      if (auto err = set_model_option(opt, kv)) throw InputError("--model-option", 0, *err);
    LoadedScenario in = load_inputs(args->inputs, args->show_certs, args->enrollment, args->tunnels);
    apply_personalities(in.scenario, args->personalities);
    CompiledScenario cs = compile(in.scenario, opt);
    Observation obs[2] = {run_direction(cs, 0, opt), run_direction(cs, 1, opt)};
    ModelOptions quiet = opt;
    quiet.trace = false;
    settle_assumptions(in, quiet, obs);
    std::vector<Fix> fixes = suggest_fixes(in.scenario, opt);
    if (args->json) print_json(in, opt, obs, fixes, args->verbose);
    else print_text(in, opt, obs, fixes, args->verbose);
    out.exit_code = all_up(in, obs) ? 0 : 1;
  });
}

}  // namespace ikeconform::cli
