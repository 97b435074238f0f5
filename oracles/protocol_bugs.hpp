// Oracles for the emulated router's protocol bugs (model/protocol_bugs.hpp, docs/protocol-bugs.md):
//   BUG-SA        the hard invariant: no IKE SA on a certificate that cannot be verified;
//   BUG-REACTION  metamorphic: the reaction RFC 4945 / RFC 7296 require (proceed as the same
//                 scenario without the bugs does, or refuse -- an IKEv2 responder with
//                 AUTHENTICATION_FAILED); bugs the RFCs leave open are skipped, saying so;
//   BUG-LIVENESS  metamorphic: the same scenario without the bugs, run after, is answered.
// They apply to the targets with an emulated side (cisco-ios,strongswan, ...); every other oracle
// skips a scenario with bugs (evaluate_all()), since the emulated side misbehaves on purpose.
#pragma once

#include <string>

#include "oracles/oracle.hpp"

namespace ikeconform {

const Oracle& bug_sa_oracle();
const Oracle& bug_reaction_oracle();
const Oracle& bug_liveness_oracle();
bool is_protocol_bug_oracle(const Oracle& o);
// "R1: cert_twice, certreq_empty" for the peer that carries bugs; "" when none does.
std::string protocol_bugs_of(const Scenario& s);

}  // namespace ikeconform
