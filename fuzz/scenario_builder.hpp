// Bytes -> Scenario for the structure-aware model target, through libFuzzer's FuzzedDataProvider.
// It reaches what the RapidCheck generators reach and more: odd DNs (case, spaces, escapes,
// UTF-8, predefined CAs' DNs), up to 30 CAs, empty lists, duplicate-ish names, CA-only
// trustpoints, several restriction lines, sign/verify splits, overlapping and catch-all
// matches, pre-share, revoked certificates, feature gaps, proposal mismatches, and "mirror"
// peers (the second peer a copy of the first with another enrollment order), so symmetric
// configurations -- the precondition of P-1 and P-9 -- are common.
// Exhausted input always draws the typical choice, so short inputs give small valid scenarios.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/scenario.hpp"

class FuzzedDataProvider;

namespace ikeconform::fuzz {

Scenario build_scenario(FuzzedDataProvider& in);
Scenario build_scenario(const std::uint8_t* data, std::size_t size);

}  // namespace ikeconform::fuzz
