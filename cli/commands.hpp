// Each subcommand registers itself on the app and sets `exit_code` when it runs.
// Exit codes: 0 all good, 1 a finding (a direction down, an oracle broke), 2 bad input or usage.
#pragma once

#include <CLI/CLI.hpp>

namespace ikeconform::cli {

struct Outcome {
  int exit_code = 0;
};

void register_check(CLI::App& app, Outcome& out);
void register_campaign(CLI::App& app, Outcome& out);  // cmd_campaign.cpp
void register_replay(CLI::App& app, Outcome& out);    // cmd_replay.cpp
void register_merge(CLI::App& app, Outcome& out);     // cmd_merge.cpp
void register_report(CLI::App& app, Outcome& out);    // cmd_report.cpp
void register_diff(CLI::App& app, Outcome& out);      // cmd_report.cpp
void register_pcap(CLI::App& app, Outcome& out);      // cmd_pcap.cpp
void register_cleanup(CLI::App& app, Outcome& out);
void register_emulate(CLI::App& app, Outcome& out);    // cmd_emulate.cpp
void register_fuzz_peer(CLI::App& app, Outcome& out);  // cmd_fuzz_peer.cpp

}  // namespace ikeconform::cli
