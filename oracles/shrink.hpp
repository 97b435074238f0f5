// Shrinking a failing scenario to a small one that still fails the same oracle.
//
// Two passes, both bounded in target runs so they also suit slow real targets (a strongSwan pair
// takes seconds per direction): first RapidCheck's own shrink tree of the generated value (the
// generators remove CAs, profiles and lines and simplify orders), then a structural pass over the
// scenario itself (remove a CA, a profile, a trustpoint, a certificate, a restriction line, a
// match line; put enrollment orders back in configuration order; drop revoked / feature / psk
// oddities). The structural pass also shrinks scenarios that were not generated (corpus files).
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <functional>

#include "model/scenario.hpp"
#include "oracles/oracle.hpp"

namespace ikeconform {

// Runs the target on a scenario and returns the oracle's verdict; one call = one "step".
using Judge = std::function<OracleResult(const Scenario&)>;

struct ShrinkResult {
  Scenario scenario;
  OracleResult result;       // the failing verdict on `scenario`
  std::size_t steps = 0;     // judge calls made
  std::size_t accepted = 0;  // shrinks that kept the failure
};

// `tree` may be null (nothing generated). `start` must fail with `start_result`.
ShrinkResult shrink(const rc::Shrinkable<Scenario>* tree, const Scenario& start, const OracleResult& start_result,
                    const Judge& judge, std::size_t max_steps);

// The structural candidates of one scenario, simplest-first; each is valid. Exposed for tests.
std::vector<Scenario> structural_shrinks(const Scenario& s);

}  // namespace ikeconform
