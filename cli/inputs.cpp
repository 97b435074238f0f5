#include "cli/inputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ios/ios.hpp"
#include "model/input_error.hpp"
#include "model/personality.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::cli {

namespace {

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path, 0, "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot read file");
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A router's NAME is its `hostname`, else the file stem; --show-certs NAME=FILE attaches output.
LoadedScenario load_routers(const std::string& a, const std::string& b, const std::vector<std::string>& show_certs,
                            const std::vector<std::string>& enrollment, const std::vector<std::string>& tunnels) {
  ios::RouterInput in[2] = {{a, read_file(a), {}, {}}, {b, read_file(b), {}, {}}};
  std::string names[2];
  for (int i = 0; i < 2; ++i) {
    ios::IosConfig cfg = ios::parse_ios_config(in[i].text, in[i].file);
    names[i] = cfg.hostname.empty() ? ios::router_stem(in[i].file) : cfg.hostname;  // as --enrollment names it
  }
  for (const std::string& spec : show_certs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos) throw InputError("--show-certs", 0, fmt::format("'{}': expected NAME=FILE", spec));
    std::string name = spec.substr(0, eq), file = spec.substr(eq + 1);
    int which = name == names[0] ? 0 : name == names[1] ? 1 : -1;
    if (which < 0)
      throw InputError("--show-certs", 0,
                       fmt::format("unknown router '{}' (routers: {}, {})", name, names[0], names[1]));
    in[which].show_file = file;
    in[which].show_text = read_file(file);
  }
  ios::ImportResult r = ios::import_routers(in[0], in[1], enrollment, tunnels);
  LoadedScenario out{std::move(r.scenario), {}, std::move(r.skipped), {}};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!r.tunnels[i].initiates) out.not_initiated[i] = r.tunnels[i].why_not;
    if (r.tunnels[i].label != "Tunnel1" || !r.tunnels[i].initiates)
      out.notes.push_back(fmt::format("{}: tunnel {}", out.scenario.peers[i].name, r.tunnels[i].label));
  }
  for (const std::string& w : r.warnings) out.notes.push_back(w);
  for (const std::string& n : r.notes) out.notes.push_back(n);
  for (const std::string& assumed : r.assumptions) out.notes.push_back("assumption: " + assumed);
  for (const ios::CaDecision& d : r.ca_decisions)
    out.notes.push_back(fmt::format("CA {} ({}) = {} by {}{}", d.ca_id,
                                    find_ca(out.scenario, d.ca_id) ? find_ca(out.scenario, d.ca_id)->dn : "?",
                                    fmt::join(d.trustpoints, " = "), d.rule,
                                    d.dn_synthesized ? " (DN synthesized)" : ""));
  return out;
}

}  // namespace

LoadedScenario load_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& show_certs,
                           const std::vector<std::string>& enrollment, const std::vector<std::string>& tunnels) {
  if (inputs.size() == 1) {
    if (!show_certs.empty() || !enrollment.empty() || !tunnels.empty())
      throw InputError(inputs[0], 0,
                       "--show-certs, --enrollment and --tunnel apply to IOS configurations, not to a scenario file");
    std::error_code ec;
    if (std::filesystem::is_directory(inputs[0], ec)) throw InputError(inputs[0], 0, "is a directory, not a file");
    return {load_scenario_file(inputs[0]), {}, {}, {}};
  }
  return load_routers(inputs.at(0), inputs.at(1), show_certs, enrollment, tunnels);
}

void apply_personalities(Scenario& s, const std::vector<std::string>& specs) {
  for (const std::string& spec : specs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos)
      throw InputError("--personality", 0, fmt::format("'{}': expected NAME=PERSONALITY", spec));
    std::string name = spec.substr(0, eq), personality = spec.substr(eq + 1);
    if (!find_personality(personality))
      throw InputError("--personality", 0,
                       fmt::format("unknown personality '{}' (known: {})", personality,
                                   fmt::join(personality_names(), ", ")));
    bool found = false;
    for (Peer& p : s.peers)
      if (p.name == name) {
        p.personality = personality;
        found = true;
      }
    if (!found) throw InputError("--personality", 0, fmt::format("no router named '{}' in the scenario", name));
  }
}

}  // namespace ikeconform::cli
