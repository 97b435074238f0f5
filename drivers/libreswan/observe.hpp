// From what one pluto said about one run (its log lines, `whack --showstates`) to a
// stack::SideReport. Pure functions over text, so the mapping is unit-tested without a daemon.
// The vocabulary is Libreswan 4.10's at the default log level (real-stacks.md lists the lines
// that matter); whack's exit status is never used (it is not reliable).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/libreswan/render.hpp"
#include "drivers/stack/stack.hpp"

namespace ikeconform::libreswan {

// `Nov 29 08:09:24.516959: "prof1-IOSCA2" #1: initiating IKEv1 Main Mode connection`.
struct PlutoLine {
  std::string conn;  // "" when the line names no connection
  int serial = 0;    // state number, 0 when none
  std::string msg;   // the text after the prefixes
  friend bool operator==(const PlutoLine&, const PlutoLine&) = default;
};
// nullopt for text that is not a pluto log line (startup banners without time stamp are).
std::optional<PlutoLine> parse_pluto_line(std::string_view line);

// `000 #1: "prof1-IOSCA2":500 STATE_MAIN_I4 (IKE SA established); ...` -> {conn, state}.
struct ShownState {
  std::string conn;
  int serial = 0;
  std::string state;  // "STATE_MAIN_I4"
  friend bool operator==(const ShownState&, const ShownState&) = default;
};
std::vector<ShownState> parse_showstates(std::string_view whack_output);
bool established_state(std::string_view state);  // STATE_MAIN_I4/R3, STATE_V2_ESTABLISHED_IKE_SA, ...

struct SideInput {
  const Scenario* scenario = nullptr;
  std::size_t peer = 0;
  Role role = Role::Initiator;
  const PeerConfig* config = nullptr;     // the rendered connections (names -> profile, certificate, rightca)
  std::vector<PlutoLine> lines;           // this run's lines, in order
  std::vector<ShownState> states;         // `whack --showstates` after the exchange
  std::vector<std::string> whack_output;  // what `whack --initiate` printed (initiator)
  bool alive = true;
};

// Progress for the run loop (only the log lines are needed).
stack::Progress progress(const SideInput& in);
stack::SideReport side_report(const SideInput& in);
// Whether this side, as a responder, dropped the first message of the exchange without a state
// and without a notification (pluto: "initial Main Mode message received but no connection has
// been authorized with authby=RSASIG"): the initiator hears nothing but its own retransmissions.
bool dropped_first_message(const SideInput& in);
// Whether this side could not read a message of the peer's in this run.
bool unreadable_answer(const SideInput& in);

}  // namespace ikeconform::libreswan
