// The message ladder of one direction drawn as inline SVG: two lifelines, one arrow per
// message with its payloads, the CERT_REQ list in sent order, the receiver's decisions, and
// the step where it broke in red. Built from model/ladder.hpp, so `check` and the report agree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/ladder.hpp"

namespace ikeconform::reports {

// `claim_at`: where an oracle says the claim broke when the direction itself did not fail
// there (e.g. a wrong CERT_REQ order in MM4 of a tunnel that came up); Message::None if not.
std::string ladder_svg(const Scenario& s, const Observation& o, const ModelOptions& opt,
                       Message claim_at = Message::None);

// The same from precomputed steps (tests and callers that already hold them).
std::string ladder_svg(const Scenario& s, const std::vector<LadderStep>& steps, std::string_view title);

// Splits `text` into lines of at most `width` characters, preferring to break after ',' or ' '.
std::vector<std::string> wrap(std::string_view text, std::size_t width);

}  // namespace ikeconform::reports
