// Oracles beyond the Cisco note's P-1..P-9 (oracles.cpp):
//   CERTREQ-ANCHORS  universal: what a CERTREQ may name (RFC 4945 §3.2.7.1), per personality;
//   DIFF-MODEL       differential: a real target's observation equals the model's prediction
//                    for the same personalities, field by field (ikeconform::diff()).
// Both are registered in every_oracle(); this header is for oracles.cpp and the counterexample
// writer (which records the model's prediction beside the real observations).
#pragma once

#include "oracles/oracle.hpp"

namespace ikeconform {

const Oracle& certreq_anchors_oracle();
const Oracle& diff_model_oracle();

// What the model predicts for both directions of `s` (the peers' personalities as `s` names
// them): DIFF-MODEL's reference.
void model_prediction(const Scenario& s, const ModelOptions& o, Observation (&out)[2]);

}  // namespace ikeconform
