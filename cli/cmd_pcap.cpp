// `ikeconform pcap`: the exchange the model predicts for one direction, written as a classic
// pcap for Wireshark / tshark (wire::model_ladder + wire::write_pcap; docs/wire.md says what is
// real in it and what is filler).
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "model/engine.hpp"
#include "model/input_error.hpp"
#include "model/observation.hpp"
#include "wire/ladder.hpp"
#include "wire/pcap.hpp"

namespace ikeconform::cli {
namespace {

struct PcapArgs {
  std::vector<std::string> inputs;
  std::string out;
  std::string initiator;
  std::vector<std::string> model_options;
  std::vector<std::string> personalities;
};

std::uint8_t initiator_index(const Scenario& s, const std::string& name) {
  if (name.empty()) return 0;
  for (std::size_t i = 0; i < s.peers.size(); ++i)
    if (s.peers[i].name == name) return static_cast<std::uint8_t>(i);
  throw InputError("--initiator", 0, "no router named '" + name + "' in the scenario");
}

void run_pcap(const PcapArgs& a) {
  ModelOptions opt;
  for (const std::string& kv : a.model_options)
    if (auto err = set_model_option(opt, kv)) throw InputError("--model-option", 0, *err);
  LoadedScenario in = load_inputs(a.inputs, {}, {});
  apply_personalities(in.scenario, a.personalities);
  const Scenario& s = in.scenario;
  const std::uint8_t ini = initiator_index(s, a.initiator);
  const Observation o = run_direction(s, ini, opt);
  const std::vector<wire::IkePacket> packets = wire::model_ladder(s, o);
  wire::write_pcap(a.out, packets);
  fmt::print("ikeconform pcap: {} -> {} (IKEv{}): {} packet{} to {}\n", s.peers[ini].name, s.peers[1U - ini].name,
             static_cast<int>(s.ike_version), packets.size(), packets.size() == 1 ? "" : "s", a.out);
  for (const wire::IkePacket& p : packets) fmt::print("  {}\n", p.note.empty() ? wire::describe(*p.message) : p.note);
}

}  // namespace

void register_pcap(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<PcapArgs>();
  CLI::App* cmd = app.add_subcommand("pcap", "Write the exchange the model predicts for one direction as a pcap file");
  cmd->add_option("inputs", args->inputs, "SCENARIO.json, or two IOS configurations CONFIG_A CONFIG_B")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--out", args->out, "FILE.pcap to write (classic pcap, Ethernet)")->required();
  cmd->add_option("--initiator", args->initiator, "NAME of the router that initiates (default: the first)");
  cmd->add_option("--model-option", args->model_options, "KEY=VALUE: " + model_option_help());
  cmd->add_option("--personality", args->personalities, "NAME=PERSONALITY: run router NAME with another personality");
  cmd->callback([args, &out] {
    run_pcap(*args);
    out.exit_code = 0;
  });
}

}  // namespace ikeconform::cli
