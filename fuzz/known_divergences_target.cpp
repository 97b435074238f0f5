// Target `known_divergences`: the known-divergence file parser (reports/known_divergences.hpp).
// Properties: only InputError escapes (file:line: what), with a line inside the text; an
// accepted file has unique ids and every entry says what, why and at least one evidence line;
// every accepted entry matches the difference it names (explain() is consistent with parsing).
#include <algorithm>
#include <set>
#include <string>

#include "fuzz/targets.hpp"
#include "model/input_error.hpp"
#include "reports/known_divergences.hpp"

namespace ikeconform::fuzz {

int fuzz_known_divergences(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kTarget = "known_divergences";
  const std::string text(reinterpret_cast<const char*>(data), size);
  reports::KnownDivergences k;
  try {
    k = reports::parse_known_divergences(text, "input.json");
  } catch (const InputError& e) {
    const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    if (e.line() < 0 || e.line() > lines) report_violation(kTarget, "error line outside the text", e.what());
    return 0;
  }
  std::set<std::string> ids;
  for (const reports::KnownDivergence& e : k.entries) {
    if (!ids.insert(e.id).second) report_violation(kTarget, "duplicate id accepted", e.id);
    if (e.what.empty() || e.why.empty() || e.evidence.empty())
      report_violation(kTarget, "entry without what, why or evidence accepted", e.id);
    const std::vector<ObservationDiff> d{{e.field, e.expected, e.actual}};
    const std::string kind = e.companion.empty() ? e.field : e.companion + ":" + e.field;
    const reports::DivergenceQuery q{e.target, e.oracle, e.ike_version.value_or(1), kind, e.message_contains, &d};
    if (reports::explain(k, q).empty()) report_violation(kTarget, "an entry does not match what it names", e.id);
  }
  return 0;
}

}  // namespace ikeconform::fuzz
