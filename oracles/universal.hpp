// Oracles beyond the Cisco note's P-1..P-9 (oracles.cpp):
//   CERTREQ-ANCHORS  universal: what a CERTREQ may name (RFC 4945 §3.2.7.1), per personality;
//   DIFF-MODEL       differential: a real target's observation equals the model's prediction
//                    for the same personalities, field by field (ikeconform::diff()); without
//                    the CHILD SA verdict on a target that cannot observe it.
//   DIFF-STACKS      cross-target: the same scenario has the same outcome on every target of a
//                    multi-target campaign (outcome only: vendors legitimately differ in CERTREQ
//                    content and certificate choice).
// Both are registered in every_oracle(); this header is for oracles.cpp and the counterexample
// writer (which records the model's prediction beside the real observations).
#pragma once

#include <optional>
#include <string>

#include "oracles/oracle.hpp"

namespace ikeconform {

const Oracle& certreq_anchors_oracle();
const Oracle& diff_model_oracle();
const Oracle& diff_stacks_oracle();

// DIFF-STACKS's comparison of one direction on two targets (docs/campaign.md "DIFF-STACKS"):
// the first differing field ("ike_sa", "child_sa" when both observe it, "failure_phase") and
// both values, or nullopt when they agree. `child` false: a side cannot observe CHILD SAs.
struct OutcomeDifference {
  std::string field;
  std::string here;
  std::string there;
};
std::optional<OutcomeDifference> outcome_difference(const Observation& here, const Observation& there, bool child);
// "negotiation" (MM1/MM2/IKE_SA_INIT), "authentication" (MM3..MM6/IKE_AUTH), "child" (QM1,
// CREATE_CHILD_SA) or "" for a run without failure point.
std::string_view failure_phase(Message m);
// Whether DIFF-STACKS compares a companion run at all: not when either side was not attempted or
// broke, and against the model (Cisco<->Cisco) only when the scenario meets P-1's precondition.
std::string companion_unjudgeable(const RelatedRun& r, const ModelOptions& o);

// What the model predicts for both directions of `s` (the peers' personalities as `s` names
// them): DIFF-MODEL's reference.
// `observes_child_sa` false: the prediction for a target that cannot observe CHILD SAs
// (without_child_sa() on both directions).
void model_prediction(const Scenario& s, const ModelOptions& o, Observation (&out)[2], bool observes_child_sa = true);

}  // namespace ikeconform
