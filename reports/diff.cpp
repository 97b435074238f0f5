#include "reports/diff.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ikeconform::reports {
namespace {

const OracleRow* find_row(const Summary& s, const OracleRow& like) {
  for (const OracleRow& r : s.oracles)
    if (r.id == like.id && r.target == like.target) return &r;
  return nullptr;
}

std::optional<Change> classify(const OracleRow& b, const OracleRow& a) {
  if (a.status == Status::Failed && b.status != Status::Failed) return Change::Regression;
  if (b.status == Status::Failed && a.status == Status::Passed) return Change::Fixed;
  if (a.status != b.status) return Change::StatusChanged;
  if (a.checked != b.checked || a.failed != b.failed) return Change::Counts;
  return std::nullopt;
}

void note_if_differs(RunDiff& d, const char* what, const std::string& b, const std::string& a) {
  if (a != b)
    d.notes.push_back(fmt::format("{} differ: {} -> {}", what, b.empty() ? "(none)" : b, a.empty() ? "(none)" : a));
}

// Only the options whose value differs ("(unset)" when one run does not name it).
void note_options(RunDiff& d, const KeyValues& b, const KeyValues& a) {
  auto value = [](const KeyValues& kv, const std::string& k) {
    for (const auto& [key, v] : kv)
      if (key == k) return v;
    return std::string("(unset)");
  };
  std::vector<std::string> keys;
  for (const KeyValues* kv : {&b, &a})
    for (const auto& [k, v] : *kv)
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  for (const std::string& k : keys)
    if (value(b, k) != value(a, k))
      d.notes.push_back(fmt::format("model option {} differs: {} -> {}", k, value(b, k), value(a, k)));
}

constexpr const char* kTag[] = {"REGRESSION", "FIXED", "CHANGED", "NEW", "GONE", "COUNTS"};

std::string counts(const OracleRow& r) { return fmt::format("failed {} of {}", r.failed, r.checked); }

std::string line(const DiffEntry& e) {
  const std::string head = fmt::format("{:<11} {} on {}", kTag[static_cast<int>(e.change)], e.oracle, e.target);
  switch (e.change) {
    case Change::New: return fmt::format("{}: {} ({})", head, status_text(e.after->status), counts(*e.after));
    case Change::Gone: return fmt::format("{}: was {} ({})", head, status_text(e.before->status), counts(*e.before));
    case Change::Counts:
      return fmt::format("{}: {}, failed {} -> {}, checked {} -> {}", head, status_text(e.after->status),
                         e.before->failed, e.after->failed, e.before->checked, e.after->checked);
    default:
      return fmt::format("{}: {} -> {} ({} -> {})", head, status_text(e.before->status), status_text(e.after->status),
                         counts(*e.before), counts(*e.after));
  }
}

}  // namespace

bool RunDiff::regression() const {
  return std::any_of(entries.begin(), entries.end(), [](const DiffEntry& e) { return e.change == Change::Regression; });
}

RunDiff diff_summaries(const Summary& before, const Summary& after) {
  RunDiff d;
  for (const OracleRow& a : after.oracles) {
    const OracleRow* b = find_row(before, a);
    if (!b) {
      d.entries.push_back({Change::New, a.id, a.target, std::nullopt, a});
      continue;
    }
    ++d.compared;
    if (auto c = classify(*b, a)) d.entries.push_back({*c, a.id, a.target, *b, a});
  }
  for (const OracleRow& b : before.oracles)
    if (!find_row(after, b)) d.entries.push_back({Change::Gone, b.id, b.target, b, std::nullopt});
  std::stable_sort(d.entries.begin(), d.entries.end(),
                   [](const DiffEntry& x, const DiffEntry& y) { return x.change < y.change; });
  note_if_differs(d, "targets", before.target + " " + before.target_version, after.target + " " + after.target_version);
  note_if_differs(d, "seeds", before.seed, after.seed);
  note_if_differs(d, "scenario classes", before.scenario_class, after.scenario_class);
  note_if_differs(d, "scenario counts", std::to_string(before.scenarios), std::to_string(after.scenarios));
  note_options(d, before.options, after.options);
  return d;
}

std::string diff_text(const RunDiff& d) {
  std::string out;
  for (const std::string& n : d.notes) out += "note: " + n + "\n";
  for (const DiffEntry& e : d.entries) out += line(e) + "\n";
  std::size_t n[std::size(kTag)] = {};
  for (const DiffEntry& e : d.entries) ++n[static_cast<int>(e.change)];
  if (d.entries.empty()) return out + fmt::format("no changes ({} oracle results compared)\n", d.compared);
  return out +
         fmt::format("{} regression{}, {} fixed, {} changed, {} new, {} gone, {} with other counts ({} compared)\n",
                     n[0], n[0] == 1 ? "" : "s", n[1], n[2], n[3], n[4], n[5], d.compared);
}

}  // namespace ikeconform::reports
