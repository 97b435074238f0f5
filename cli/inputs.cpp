#include "cli/inputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
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

// The real device's model when the user gives none: trusts every trustpoint of `cfg` by name
// (the same CA), matches any identity, IKEv2 or IKEv1 as `v2` says.
std::string synthesized_peer(const ios::IosConfig& cfg, const std::string& name, const std::string& address, bool v2) {
  std::string t = "hostname " + name + "\n";
  for (const auto& tp : cfg.trustpoints) t += "crypto pki trustpoint " + tp.name + "\n enrollment terminal\n";
  if (v2) {
    t += "crypto ikev2 profile PEER\n match identity remote any\n authentication local rsa-sig\n"
         " authentication remote rsa-sig\n";
    for (const auto& tp : cfg.trustpoints) t += " pki trustpoint " + tp.name + "\n";
    t += "crypto ipsec profile PEER\n set ikev2-profile PEER\n";
  } else {
    t += "crypto isakmp profile PEER\n match identity address 0.0.0.0\n";
    for (const auto& tp : cfg.trustpoints) t += " ca trust-point " + tp.name + "\n";
    t += "crypto ipsec profile PEER\n set isakmp-profile PEER\n";
  }
  t += "interface GigabitEthernet0/0\n ip address " + address + " 255.255.255.0\n";
  t += "interface Tunnel1\n tunnel source GigabitEthernet0/0\n tunnel protection ipsec profile PEER\n";
  return t;
}

}  // namespace

LoadedScenario load_emulated(const std::string& config, const std::string& peer_config, const std::string& peer_address,
                             const std::string& show_certs, const std::string& peer_show_certs,
                             const std::vector<std::string>& enrollment, const std::string& tunnel) {
  ios::RouterInput self{config, read_file(config), {}, {}};
  if (!show_certs.empty()) {
    self.show_file = show_certs;
    self.show_text = read_file(show_certs);
  }
  const ios::IosConfig cfg = ios::parse_ios_config(self.text, self.file);
  const std::string name = cfg.hostname.empty() ? ios::router_stem(config) : cfg.hostname;
  std::vector<std::string> enroll, tunnels;
  for (const std::string& tp : enrollment)
    if (std::none_of(cfg.trustpoints.begin(), cfg.trustpoints.end(), [&](const auto& t) { return t.name == tp; }))
      throw InputError("--credentials", 0, fmt::format("{} has no trustpoint '{}'", name, tp));
  if (show_certs.empty() && !enrollment.empty()) {
    std::string spec = name + "=";
    for (std::size_t i = 0; i < enrollment.size(); ++i) spec += (i ? "," : "") + enrollment[i];
    enroll.push_back(spec);
  }
  if (!tunnel.empty()) tunnels.push_back(name + "=" + tunnel);
  ios::ImportResult r;
  bool synthesized = peer_config.empty();
  if (synthesized && !peer_show_certs.empty())
    throw InputError("--peer-show-certs", 0, "applies to --peer-config, which is not given");
  if (!synthesized) {
    ios::RouterInput other{peer_config, read_file(peer_config), {}, {}};
    if (!peer_show_certs.empty()) {
      other.show_file = peer_show_certs;
      other.show_text = read_file(peer_show_certs);
    }
    r = ios::import_routers(self, other, enroll, tunnels);
  } else {
    std::string peer_name = name == "peer" ? "device" : "peer";
    // The version of CONFIG's tunnel decides the synthesized router's: try IKEv2 first.
    try {
      r = ios::import_routers(
          self, {"(peer " + peer_address + ")", synthesized_peer(cfg, peer_name, peer_address, true), {}, {}}, enroll,
          tunnels);
    } catch (const InputError& e) {
      if (std::string_view(e.what()).find("uses IKEv") == std::string_view::npos) throw;
      r = ios::import_routers(
          self, {"(peer " + peer_address + ")", synthesized_peer(cfg, peer_name, peer_address, false), {}, {}}, enroll,
          tunnels);
    }
  }
  LoadedScenario out{std::move(r.scenario), {}, std::move(r.skipped), {}};
  Scenario& s = out.scenario;
  s.peers[1].address = peer_address;
  if (synthesized) {
    s.peers[1].proposals = s.peers[0].proposals;
    s.peers[1].personality = std::string(kCiscoIos);
    out.notes.push_back(
        fmt::format("{}: no --peer-config: modeled as a router that trusts {}'s trustpoints, "
                    "accepts any identity and {}'s proposals (predictions are a guess)",
                    s.peers[1].name, s.peers[0].name, s.peers[0].name));
  }
  if (!r.tunnels[0].initiates) out.not_initiated[0] = r.tunnels[0].why_not;
  if (r.tunnels[0].label != "Tunnel1")
    out.notes.push_back(fmt::format("{}: tunnel {}", s.peers[0].name, r.tunnels[0].label));
  for (const std::string& w : r.warnings) out.notes.push_back(w);
  for (const std::string& n : r.notes)
    if (!synthesized || n.rfind(s.peers[1].name + ":", 0) != 0) out.notes.push_back(n);
  for (const std::string& assumed : r.assumptions) out.notes.push_back("assumption: " + assumed);
  return out;
}

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
