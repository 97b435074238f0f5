// The known-divergence file (docs/known-divergences.md, `ikeconform.known-divergences/1`):
// differences between a real stack and the model (DIFF-MODEL) or between two stacks
// (DIFF-STACKS) that are understood and cannot be modeled, each with what, why and the evidence
// (log lines, upstream source). A campaign loads it (default: the file shipped as
// corpus/known-divergences.json, built into the binary; `--known-divergences FILE` overrides);
// a failure an entry matches is journaled and reported as an expected deviation, never dropped
// and never counted as a failure. Parsing lives here (reports/) so the fuzz target and the
// report writers share it; matching is the campaign's (campaign/known.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/observation.hpp"  // ObservationDiff

namespace ikeconform::reports {

inline constexpr const char* kKnownDivergencesSchema = "ikeconform.known-divergences/1";

struct KnownDivergence {
  std::string id;      // unique in the file: "strongswan-v1-..."
  std::string target;  // the campaign target it concerns: "strongswan", "libreswan", "strongswan,libreswan"
  std::string oracle;  // "DIFF-MODEL" | "DIFF-STACKS"
  // Matcher: every given part must hold. `field` is the first field that differs (the oracle's
  // failure kind: reason, failed_at, responder_profile, ...); `expected` / `actual` its value in
  // the model's prediction (DIFF-STACKS: on the main target) and on the target (the companion).
  std::string companion;  // DIFF-STACKS only: the other target; "" = any
  std::optional<int> ike_version;
  std::string field, expected, actual;
  std::string message_contains;  // a substring of the oracle's failure message ("" = any)
  std::string what, why;
  std::vector<std::string> evidence;  // log lines, upstream source references: at least one
  int line = 0;                       // where the entry starts in its file
};

struct KnownDivergences {
  std::string file;  // as shown in reports ("corpus/known-divergences.json (built in)")
  std::vector<KnownDivergence> entries;
};

// One failure of a differential oracle, as the known-divergence file matches it.
struct DivergenceQuery {
  std::string_view target;  // the campaign's target
  std::string_view oracle;  // "DIFF-MODEL"
  int ike_version = 1;
  std::string_view kind;     // OracleResult::kind ("reason"; DIFF-STACKS: "libreswan:ike_sa")
  std::string_view message;  // OracleResult::message
  const std::vector<ObservationDiff>* differences = nullptr;
};
// The entries that explain the failure, one per difference (in order, repeats removed); empty
// unless every difference is explained: an unexplained difference keeps it a failure.
std::vector<const KnownDivergence*> explain(const KnownDivergences& k, const DivergenceQuery& q);

// Throws InputError("file:line: what is wrong") for anything malformed, never half a list.
KnownDivergences parse_known_divergences(const std::string& text, const std::string& shown);
KnownDivergences load_known_divergences(const std::filesystem::path& file);
// The file shipped with the project (corpus/known-divergences.json), as built into the binary.
KnownDivergences shipped_known_divergences();
std::string_view shipped_known_divergences_text();

}  // namespace ikeconform::reports
