#include "campaign/counterexample.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "campaign/files.hpp"
#include "ios/ios.hpp"
#include "model/files.hpp"
#include "model/input_error.hpp"
#include "model/json_errors.hpp"
#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"
#include "oracles/universal.hpp"

namespace ikeconform::campaign {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

std::string counterexample_stem(const Oracle& oracle, std::uint64_t n) {
  return "counterexamples/" + safe_file_part(std::string(oracle.id())) + "-" + std::to_string(n);
}

namespace {

ordered_json directions_json(const Scenario& s, const Observation (&obs)[2]) {
  return {observation_to_json(s, obs[0]), observation_to_json(s, obs[1])};
}

ordered_json failing_json(const OracleResult& r) {
  return {{"related", r.related >= 0 ? ordered_json(r.related) : ordered_json(nullptr)},
          {"direction", r.direction},
          {"at", r.at == Message::None ? ordered_json(nullptr) : ordered_json(std::string(message_name(r.at)))}};
}

// The oracle-describing part every counterexample file has.
ordered_json describe_json(const Oracle& oracle, const CounterexampleInfo& info, const Evaluation& ev,
                           const std::string& base) {
  ordered_json j;
  j["schema"] = kCounterexampleSchema;
  j["oracle"] = std::string(oracle.id());
  j["statement"] = std::string(oracle.statement());
  j["rules"] = ordered_json::array();
  for (auto r : oracle.rules()) j["rules"].push_back(std::string(r));
  j["verdict"] = std::string(verdict_text(ev.result.verdict));
  j["message"] = ev.result.message;
  j["target"] = info.target;
  j["options"] = ordered_json::object();
  for (const auto& [k, v] : describe(info.options)) j["options"][k] = v;
  j["seed"] = info.seed;
  j["index"] = info.index;
  j["shrink_steps"] = info.shrink_steps;
  j["scenario"] = base + ".json";
  return j;
}

void add_related(ordered_json& j, const Oracle& oracle, const Evaluation& ev) {
  if (!oracle.metamorphic() && !oracle.cross_target()) return;
  j["related"] = ordered_json::array();
  for (const auto& r : ev.related) {
    ordered_json e = {{"relation", r->relation},
                      {"scenario", scenario_to_json(r->scenario)},
                      {"directions", directions_json(r->scenario, r->obs)}};
    if (!r->target.empty()) e["target"] = r->target;  // DIFF-STACKS: the companion that ran it
    j["related"].push_back(std::move(e));
  }
}

}  // namespace

SavedCounterexample write_counterexample(const fs::path& dir, Scenario s, const CounterexampleInfo& info,
                                         Target* target, const Evidence* evidence) {
  const Oracle& oracle = *info.oracle;
  const std::string stem = counterexample_stem(oracle, info.n);
  const std::string base = fs::path(stem).filename().string();
  s.name = fmt::format("{}-seed{}-index{}", base, info.seed, info.index);
  ModelOptions traced = info.options;
  traced.trace = true;  // the saved observations carry the IOS debug trace
  const bool real = target && !target->is_model() && evidence;
  // Cross-target oracles (DIFF-STACKS) keep what the runs saw even on the model: a companion's
  // observation cannot be re-created here.
  const bool observed = evidence && (real || oracle.cross_target());
  Observation model_obs[2];
  model_prediction(s, traced, model_obs, !target || target->observes_child_sa());
  Evaluation ev;
  const Observation(*obs)[2] = &model_obs;
  if (observed) {
    ev = evidence->evaluation;
    obs = &evidence->obs;
  } else {
    ModelTarget model(traced);
    ev = evaluate(oracle, s, model_obs, model, info.options);
  }

  SavedCounterexample out;
  out.scenario = stem + ".json";
  out.observations = stem + ".observations.json";
  out.message = ev.result.message;
  write_file_atomic(dir / out.scenario, scenario_to_text(s));

  ordered_json j = describe_json(oracle, info, ev, base);
  j["directions"] = directions_json(s, *obs);
  if (ev.result.direction >= 0) j["failing"] = failing_json(ev.result);  // which observation the reports draw
  add_related(j, oracle, ev);
  if (real) {
    // The reference beside what the stack did: DIFF-MODEL's comparison, and context for every other oracle.
    j["model_directions"] = directions_json(s, model_obs);
    if (target->version()) j["target_version"] = *target->version();
    for (const RenderedFile& f : target->render(s)) {
      const std::string file = stem + "." + safe_file_part(f.suffix);
      write_file_atomic(dir / file, f.text);
      out.configs.push_back(file);
    }
    j["configs"] = ordered_json::array();
    for (const std::string& f : out.configs) j["configs"].push_back(fs::path(f).filename().string());
    if (!evidence->pcap.empty()) {
      out.pcap = evidence->pcap;
      j["pcap"] = fs::path(out.pcap).filename().string();
    }
    if (!evidence->note.empty()) j["note"] = evidence->note;
  }
  write_file_atomic(dir / out.observations, j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n");

  for (std::size_t p = 0; p < s.peers.size(); ++p) {
    const std::string ios = stem + "." + safe_file_part(s.peers[p].name) + ".ios.txt";
    write_file_atomic(dir / ios, ios::export_ios_config(s, p));
    out.ios.push_back(ios);
  }
  return out;
}

fs::path observations_path_for(const fs::path& scenario_file) {
  fs::path p = scenario_file;
  p.replace_extension(".observations.json");
  return p;
}

std::optional<Recorded> read_recorded(const fs::path& scenario_file) {
  const fs::path file = observations_path_for(scenario_file);
  if (!fs::exists(file)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(file.string(), line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0), "malformed JSON");
  } catch (const nlohmann::json::out_of_range& e) {
    throw_json_out_of_range(e, text, file.string());
  }
  if (!j.is_object() || j.value("schema", "") != kCounterexampleSchema)
    throw InputError(file.string(), 1, std::string("not an ") + kCounterexampleSchema + " file");
  Recorded r;
  try {
    r.oracle = j.at("oracle").get<std::string>();
    if (j.contains("target") && j.at("target").is_string()) r.target = j.at("target").get<std::string>();
    const nlohmann::json options = j.value("options", nlohmann::json::object());  // items() needs a live object
    for (const auto& [k, v] : options.items()) r.options.push_back(k + "=" + v.get<std::string>());
    if (j.contains("related") && j.at("related").is_array())
      for (const auto& rel : j.at("related"))
        if (rel.contains("target") && rel.at("target").is_string())
          r.diff_targets.push_back(rel.at("target").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file.string(), 1, e.what());
  }
  return r;
}

}  // namespace ikeconform::campaign
