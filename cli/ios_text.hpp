// A plain-text IOS-style rendering of one router of a scenario, written beside counterexamples so a
// network engineer can read them. Stand-in until the `ios/` exporter (export_ios_config) is merged.
#pragma once

#include <cstddef>
#include <string>

#include "model/scenario.hpp"

namespace ikeconform::cli {

std::string render_ios_text(const Scenario& s, std::size_t peer);

}  // namespace ikeconform::cli
