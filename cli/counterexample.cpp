#include "cli/counterexample.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/campaign_files.hpp"
#include "ios/ios.hpp"
#include "model/input_error.hpp"
#include "model/observation_json.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::cli {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

SavedCounterexample write_counterexample(const fs::path& dir, Scenario s, const CounterexampleInfo& info) {
  const Oracle& oracle = *info.oracle;
  const std::string base = safe_file_part(std::string(oracle.id())) + "-" + std::to_string(info.n);
  s.name = fmt::format("{}-seed{}-index{}", base, info.seed, info.index);
  ModelOptions traced = info.options;
  traced.trace = true;  // the saved observations carry the IOS debug trace
  ModelTarget target(traced);
  Observation obs[2];
  target.run_both(s, obs);
  const Evaluation ev = evaluate(oracle, s, obs, target, info.options);

  SavedCounterexample out;
  out.scenario = "counterexamples/" + base + ".json";
  out.observations = "counterexamples/" + base + ".observations.json";
  out.message = ev.result.message;
  write_file_atomic(dir / out.scenario, scenario_to_text(s));

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
  j["directions"] = {observation_to_json(s, obs[0]), observation_to_json(s, obs[1])};
  if (ev.result.direction >= 0)  // which observation the reports should draw
    j["failing"] = {{"related", ev.result.related >= 0 ? ordered_json(ev.result.related) : ordered_json(nullptr)},
                    {"direction", ev.result.direction},
                    {"at", ev.result.at == Message::None ? ordered_json(nullptr) : ordered_json(std::string(message_name(ev.result.at)))}};
  if (oracle.metamorphic()) {
    j["related"] = ordered_json::array();
    for (const auto& run : ev.related)
      j["related"].push_back({{"relation", run->relation},
                              {"scenario", scenario_to_json(run->scenario)},
                              {"directions", {observation_to_json(run->scenario, run->obs[0]), observation_to_json(run->scenario, run->obs[1])}}});
  }
  write_file_atomic(dir / out.observations, j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n");

  for (std::size_t p = 0; p < s.peers.size(); ++p) {
    const std::string ios = "counterexamples/" + base + "." + safe_file_part(s.peers[p].name) + ".ios.txt";
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
  }
  if (!j.is_object() || j.value("schema", "") != kCounterexampleSchema)
    throw InputError(file.string(), 1, std::string("not an ") + kCounterexampleSchema + " file");
  Recorded r;
  try {
    r.oracle = j.at("oracle").get<std::string>();
    const nlohmann::json options = j.value("options", nlohmann::json::object());  // items() needs a live object
    for (const auto& [k, v] : options.items()) r.options.push_back(k + "=" + v.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(file.string(), 1, e.what());
  }
  return r;
}

}  // namespace ikeconform::cli
