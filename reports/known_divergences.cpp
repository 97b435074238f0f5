#include "reports/known_divergences.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "model/input_error.hpp"
#include "model/scenario_json.hpp"  // json_pointer_line
#include "reports/json_input.hpp"

namespace ikeconform::reports {

namespace {

using nlohmann::json;

// The fields DIFF-MODEL compares (model/observation.cpp diff()) and DIFF-STACKS's outcome parts.
constexpr std::string_view kFields[] = {"initiator",
                                        "ike_sa",
                                        "child_sa",
                                        "failed_at",
                                        "reason",
                                        "initiator_trustpoint",
                                        "responder_trustpoint",
                                        "responder_profile",
                                        "certreq_from_initiator",
                                        "certreq_from_responder",
                                        "failure_phase"};
constexpr std::string_view kOracles[] = {"DIFF-MODEL", "DIFF-STACKS"};
constexpr std::string_view kEntryKeys[] = {"id", "target", "oracle", "match", "what", "why", "evidence"};
constexpr std::string_view kMatchKeys[] = {"companion", "ike_version", "field",
                                           "expected",  "actual",      "message_contains"};

template <std::size_t N>
bool one_of(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

template <std::size_t N>
std::string joined(const std::string_view (&set)[N]) {
  return fmt::format("{}", fmt::join(set, ", "));
}

// Unknown keys are refused: a misspelt matcher key would silently widen the match.
template <std::size_t N>
void only_known_keys(const JsonFile& file, const json& obj, const std::string& pointer,
                     const std::string_view (&known)[N]) {
  for (const auto& [k, v] : obj.items())
    if (!one_of(k, known)) file.fail(pointer + "/" + k, fmt::format("unknown key '{}' (known: {})", k, joined(known)));
}

KnownDivergence entry(const JsonFile& file, const json& e, const std::string& pointer) {
  if (!e.is_object()) file.fail(pointer, "an entry must be an object");
  only_known_keys(file, e, pointer, kEntryKeys);
  Fields f(file, e, pointer);
  KnownDivergence k;
  k.id = f.str("id", true);
  k.target = f.str("target", true);
  k.oracle = f.str("oracle", true);
  k.what = f.str("what", true);
  k.why = f.str("why", true);
  if (k.id.empty()) f.fail("id", "must not be empty");
  if (k.target.empty()) f.fail("target", "must not be empty");
  if (!one_of(k.oracle, kOracles))
    f.fail("oracle", fmt::format("unknown oracle '{}' (known: {})", k.oracle, joined(kOracles)));
  if (k.what.empty()) f.fail("what", "must say what differs");
  if (k.why.empty()) f.fail("why", "must say why it cannot be modeled");
  const json* ev = f.find("evidence");
  if (!ev || !ev->is_array() || ev->empty())
    f.fail("evidence", "a non-empty list of log lines and upstream source references is required");
  k.evidence = f.strings("evidence");
  for (std::size_t i = 0; i < k.evidence.size(); ++i)
    if (k.evidence[i].empty()) file.fail(f.pointer("evidence") + "/" + std::to_string(i), "empty evidence line");
  const json* m = f.find("match");
  if (!m || !m->is_object()) f.fail("match", "an object (field, expected, actual, ...) is required");
  const std::string mp = f.pointer("match");
  only_known_keys(file, *m, mp, kMatchKeys);
  Fields mf(file, *m, mp);
  k.companion = mf.str("companion");
  if (!k.companion.empty() && k.oracle != "DIFF-STACKS") mf.fail("companion", "only DIFF-STACKS has a companion");
  if (const json* v = mf.find("ike_version")) {
    if (!v->is_number_integer() || (v->get<long long>() != 1 && v->get<long long>() != 2))
      mf.fail("ike_version", "expected 1 or 2");
    k.ike_version = static_cast<int>(v->get<long long>());
  }
  k.field = mf.str("field", true);
  if (!one_of(k.field, kFields))
    mf.fail("field", fmt::format("unknown field '{}' (known: {})", k.field, joined(kFields)));
  k.expected = mf.str("expected");
  k.actual = mf.str("actual");
  k.message_contains = mf.str("message_contains");
  return k;
}

}  // namespace

KnownDivergences parse_known_divergences(const std::string& text, const std::string& shown) {
  const JsonFile file = parse_json_text(text, shown);
  if (!file.value.is_object()) file.fail("", "expected an object with \"schema\" and \"entries\"");
  Fields top(file, file.value, "");
  if (const std::string schema = top.str("schema", true); schema != kKnownDivergencesSchema)
    top.fail("schema", fmt::format("expected '{}', found '{}'", kKnownDivergencesSchema, schema));
  const json* entries = top.find("entries");
  if (!entries || !entries->is_array()) top.fail("entries", "a list of entries is required (it may be empty)");
  KnownDivergences out;
  out.file = shown;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string pointer = "/entries/" + std::to_string(i);
    KnownDivergence k = entry(file, (*entries)[i], pointer);
    if (!ids.insert(k.id).second) file.fail(pointer + "/id", "duplicate id '" + k.id + "'");
    k.line = json_pointer_line(file.text, pointer);  // for messages about it later
    out.entries.push_back(std::move(k));
  }
  return out;
}

std::vector<const KnownDivergence*> explain(const KnownDivergences& k, const DivergenceQuery& q) {
  std::vector<const KnownDivergence*> out;
  if (!q.differences || q.differences->empty()) return out;
  const std::size_t colon = q.kind.rfind(':');
  const std::string_view companion = colon == std::string_view::npos ? std::string_view() : q.kind.substr(0, colon);
  auto matches = [&](const KnownDivergence& e, const ObservationDiff& d) {
    return e.target == q.target && e.oracle == q.oracle && (!e.ike_version || *e.ike_version == q.ike_version) &&
           (e.companion.empty() || e.companion == companion) &&
           (e.message_contains.empty() || q.message.find(e.message_contains) != std::string_view::npos) &&
           e.field == d.field && (e.expected.empty() || e.expected == d.expected) &&
           (e.actual.empty() || e.actual == d.actual);
  };
  for (const ObservationDiff& d : *q.differences) {
    const auto it = std::find_if(k.entries.begin(), k.entries.end(),
                                 [&](const KnownDivergence& e) { return matches(e, d); });
    if (it == k.entries.end()) return {};
    if (std::find(out.begin(), out.end(), &*it) == out.end()) out.push_back(&*it);
  }
  return out;
}

KnownDivergences load_known_divergences(const std::filesystem::path& file) {
  return parse_known_divergences(read_text_file(file, file.string()), file.string());
}

}  // namespace ikeconform::reports
