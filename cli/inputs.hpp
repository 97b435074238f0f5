// Turning what the user names on the command line into a scenario: a scenario/1 file, or two
// IOS configurations (+ show output, enrollment orders). Shared by check, replay and campaign.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "model/scenario.hpp"

namespace ikeconform::cli {

struct LoadedScenario {
  Scenario scenario;
  std::vector<std::string> notes;    // what was assumed or decided while importing (printed by check)
  std::vector<std::string> skipped;  // IOS commands that cannot change negotiation (check --verbose)
  // Per peer: empty when its tunnel initiates; else why it only answers (DMVPN hub, dynamic map).
  std::array<std::string, 2> not_initiated;
};

// One input: a scenario/1 JSON file. Two: IOS configurations. Throws InputError.
LoadedScenario load_inputs(const std::vector<std::string>& inputs, const std::vector<std::string>& show_certs,
                           const std::vector<std::string>& enrollment, const std::vector<std::string>& tunnels = {});

// `emulate`: CONFIG is the router we play (peer 0); the real device at `peer_address` is peer 1,
// modeled by `peer_config` (an IOS configuration) when given, else by a synthesized router that
// trusts CONFIG's trustpoints, answers any identity and accepts CONFIG's proposals (a note says
// so). `peer_show_certs`: `show crypto pki certificates` for `peer_config`. `enrollment`: CONFIG's enrolled
// trustpoints, oldest first (from the PKCS#12 files) unless `show_certs` gives them. `tunnel`: INTERFACE of CONFIG when
// several lead to the peer.
LoadedScenario load_emulated(const std::string& config, const std::string& peer_config, const std::string& peer_address,
                             const std::string& show_certs, const std::string& peer_show_certs,
                             const std::vector<std::string>& enrollment, const std::string& tunnel);

// "NAME=PERSONALITY" for a router of the scenario; throws InputError on unknown names.
void apply_personalities(Scenario& s, const std::vector<std::string>& specs);

}  // namespace ikeconform::cli
