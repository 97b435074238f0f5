// Shared by the Libreswan / mixed-pair tests: the note's scenarios made runnable on real stacks,
// model predictions for a pair of stacks, and loud skips.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "drivers/stack/stack.hpp"
#include "drivers_test_util.hpp"  // is_root(), test_key_cache()
#include "model/engine.hpp"
#include "model/scenario_json.hpp"

namespace ikeconform::testing {

// A corpus scenario (corpus/scenarios/NAME.json) that real stacks can run: synthesized
// certificate subjects (the corpus uses multi-valued RDNs the PKI does not make) and the
// default proposal (the note's 3des-md5-group2 is not built into Libreswan 4.10).
inline Scenario runnable(const std::string& name, IkeVersion v) {
  Scenario s = load_scenario_file(std::string(IKECONFORM_SOURCE_DIR) + "/corpus/scenarios/" + name + ".json");
  s.ike_version = v;
  for (Peer& p : s.peers) {
    for (IdentityCert& c : p.certificates) c.subject.clear();
    p.proposals.clear();
  }
  return s;
}

inline Scenario with_personalities(Scenario s, std::string_view p0, std::string_view p1) {
  s.peers.at(0).personality = p0;
  s.peers.at(1).personality = p1;
  return s;
}

// What a pair without CHILD SA observation can be compared on: once the IKE SA is up the
// comparison ends (Libreswan cannot install an ESP SA in this kernel).
inline Observation ike_only(Observation o) { return without_child_sa(std::move(o)); }

inline std::string dump(const Observation& o) {
  std::string s;
  for (const std::string& l : o.trace) s += "    " + l + "\n";
  return s;
}

inline std::string dump_diff(const Scenario& s, const Observation& model, const Observation& real) {
  std::string out;
  for (const ObservationDiff& d : diff(s, model, real))
    out += "  " + d.field + ": model " + d.expected + " | real " + d.actual + "\n";
  return out;
}

#define REQUIRE_ROOT_AND(what)                                                  \
  if (!::ikeconform::testing::is_root())                                        \
  GTEST_SKIP() << "\n\n*** SKIPPED: " what                                      \
                  " needs root (network namespaces, mount namespaces, pluto). " \
                  "Run the `root` label as root to exercise the real stacks. ***\n"

}  // namespace ikeconform::testing
