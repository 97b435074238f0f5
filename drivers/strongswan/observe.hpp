// From what a charon said about one handshake (log lines, list-sas) to its side's report
// (stack::SideReport), and from two sides to an Observation through stack::combine(). Pure
// functions over text, so that the mapping is unit-tested without a daemon. The log vocabulary
// is charon 5.9's (real-stacks.md lists the lines that matter).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/stack/stack.hpp"
#include "drivers/strongswan/render.hpp"
#include "drivers/vici/vici.hpp"
#include "model/observation.hpp"

namespace ikeconform::strongswan {

struct LogLine {
  std::string group;  // "IKE", "CFG", "ENC", ...
  int level = 1;      // 0..4; 1 when the source does not say
  std::string msg;
  friend bool operator==(const LogLine&, const LogLine&) = default;
};

// A filelog line written with `log_level = yes`: "13[IKE1] sending cert request for ...";
// also accepts "13[IKE] ..." (level 1) and a leading time stamp. nullopt for other text.
std::optional<LogLine> parse_filelog_line(std::string_view line);
// A VICI `control-log` or `log` event: {group, level, msg}.
LogLine from_log_event(const vici::Message& m);

struct SideEvidence {
  std::vector<LogLine> log;      // this side's lines for the scenario, in order
  bool ike_established = false;  // list-sas: an IKE_SA of ours in state ESTABLISHED
  bool child_installed = false;  // list-sas: a CHILD_SA of ours in state INSTALLED
  bool daemon_alive = true;
};

struct RunEvidence {
  std::uint8_t initiator = 0;
  std::array<SideEvidence, 2> sides;  // by scenario peer index
  bool initiate_success = false;
  std::string initiate_errmsg;
  std::string harness_error;  // VICI transport failure, load failure, ...: INTERNAL_ERROR
  // Where a run's time went (for reports and tuning; not part of the Observation).
  std::chrono::microseconds load_time{0}, handshake_time{0}, teardown_time{0};
};

// Reads list-sa events for IKE_SAs whose name starts with `prefix`.
void read_list_sas(const std::vector<vici::Message>& sas, std::string_view prefix, SideEvidence& side);

// This side's verdict alone (cheap: what a polling pair runner asks).
stack::Verdict side_verdict(const SideEvidence& side, Role role);

// What peer `peer` says about the run in `role`, from its own evidence alone: CERTREQ lists,
// chosen certificate and (responder) profile mapped back to scenario indices through the
// rendered names and DNs, its verdict, its trace lines. `initiate_*`: the initiator's VICI
// `initiate` answer (it succeeds only once the CHILD SA is up).
stack::SideReport side_report(const Scenario& s, const Material& m, const RenderOptions& o, std::size_t peer, Role role,
                              const SideEvidence& side, bool initiate_success = false,
                              const std::string& initiate_errmsg = {});

// Both sides' reports, combined (stack::combine()): the Observation of a strongSwan pair.
Observation observe(const Scenario& s, const Material& m, const RenderOptions& o, const RunEvidence& e);

}  // namespace ikeconform::strongswan
