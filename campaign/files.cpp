#include "campaign/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "campaign/journal.hpp"
#include "model/input_error.hpp"
#include "model/json_errors.hpp"
#include "oracles/oracle.hpp"

namespace ikeconform::campaign {

using nlohmann::json;
using nlohmann::ordered_json;

std::optional<Shard> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Shard s;
  auto parse = [](std::string_view v, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && p == v.data() + v.size() && !v.empty();
  };
  const std::string_view t(text);
  if (!parse(t.substr(0, slash), s.index) || !parse(t.substr(slash + 1), s.count)) return std::nullopt;
  if (s.count == 0 || s.index == 0 || s.index > s.count) return std::nullopt;
  return s;
}

namespace {

ordered_json shard_json(const Shard& s) { return {{"index", s.index}, {"count", s.count}}; }

ordered_json options_json(const std::vector<std::pair<std::string, std::string>>& options) {
  ordered_json o = ordered_json::object();
  for (const auto& [k, v] : options) o[k] = v;
  return o;
}

Shard shard_from(const json& j, const std::string& file) {
  if (!j.is_object() || !j.contains("index") || !j.contains("count")) throw InputError(file, 1, "header: bad shard");
  return {j.at("index").get<std::uint64_t>(), j.at("count").get<std::uint64_t>()};
}

}  // namespace

ordered_json header_json(const CampaignConfig& c) {
  ordered_json h;
  h["type"] = "header";
  h["schema"] = kJournalSchema;
  h["version"] = "0.1.0";
  h["target"] = c.target;
  h["seed"] = c.seed;
  h["shard"] = c.shard ? shard_json(*c.shard) : ordered_json(nullptr);
  if (!c.shard) {
    h["shards"] = ordered_json::array();
    for (const Shard& s : c.shards) h["shards"].push_back(shard_json(s));
  }
  h["class"] = c.scenario_class;
  h["runs"] = c.runs ? ordered_json(*c.runs) : ordered_json(nullptr);
  h["max_total_time"] = c.max_total_time ? ordered_json(*c.max_total_time) : ordered_json(nullptr);
  h["oracles"] = c.oracles;
  h["options"] = options_json(c.options);
  if (!c.target_version.empty()) h["target_version"] = c.target_version;
  if (!c.diff_targets.empty()) {
    h["diff_targets"] = c.diff_targets;
    if (!c.diff_target_versions.empty()) h["diff_target_versions"] = c.diff_target_versions;
  }
  return h;
}

CampaignConfig config_from_header(const json& h, const std::string& file, int* version) {
  try {
    const std::string schema = h.value("schema", "");
    if (h.value("type", "") != "header" || (schema != kJournalSchema && schema != kJournalSchemaV1))
      throw InputError(file, 1, std::string("not an ") + kJournalSchema + " journal (first line must be its header)");
    if (version) *version = schema == kJournalSchema ? 2 : 1;
    CampaignConfig c;
    c.target = h.at("target").get<std::string>();
    c.seed = h.at("seed").get<std::uint64_t>();
    if (h.at("shard").is_null()) {
      c.shard.reset();
      for (const json& s : h.value("shards", json::array())) c.shards.push_back(shard_from(s, file));
    } else {
      c.shard = shard_from(h.at("shard"), file);
      c.shards = {*c.shard};
    }
    c.scenario_class = h.at("class").get<std::string>();
    if (!h.at("runs").is_null()) c.runs = h.at("runs").get<std::uint64_t>();
    if (h.contains("max_total_time") && !h.at("max_total_time").is_null())
      c.max_total_time = h.at("max_total_time").get<double>();
    c.oracles = h.at("oracles").get<std::vector<std::string>>();
    for (const auto& [k, v] : h.at("options").items()) c.options.emplace_back(k, v.get<std::string>());
    if (h.contains("target_version") && h.at("target_version").is_string())
      c.target_version = h.at("target_version").get<std::string>();
    if (h.contains("diff_targets")) c.diff_targets = h.at("diff_targets").get<std::vector<std::string>>();
    if (h.contains("diff_target_versions") && h.at("diff_target_versions").is_object())
      for (const auto& [k, v] : h.at("diff_target_versions").items())
        if (v.is_string()) c.diff_target_versions[k] = v.get<std::string>();
    return c;
  } catch (const json::exception& e) {
    throw InputError(file, 1, std::string("bad journal header: ") + e.what());
  }
}

std::string config_difference(const CampaignConfig& a, const CampaignConfig& b, bool compare_shard) {
  if (a.target != b.target) return fmt::format("target {} vs {}", a.target, b.target);
  if (a.diff_targets != b.diff_targets)
    return fmt::format("--diff-target {} vs {}", fmt::join(a.diff_targets, ","), fmt::join(b.diff_targets, ","));
  if (a.seed != b.seed) return fmt::format("seed {} vs {}", a.seed, b.seed);
  if (compare_shard && a.shard != b.shard) return "a different --shard";
  if (a.scenario_class != b.scenario_class) return fmt::format("class {} vs {}", a.scenario_class, b.scenario_class);
  if (a.oracles != b.oracles) return "a different --oracle selection";
  auto sorted = [](auto v) {  // a parsed header keeps JSON object order, not describe()'s
    std::sort(v.begin(), v.end());
    return v;
  };
  if (sorted(a.options) != sorted(b.options)) return "different --model-option settings";
  return "";
}

int line_of_offset(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

std::map<std::string, std::string> read_baseline(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(name, 0, "cannot read the baseline");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(name, line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0), "malformed JSON");
  } catch (const json::out_of_range& e) {
    throw_json_out_of_range(e, text, name);
  }
  if (!j.is_object() || j.value("schema", "") != kBaselineSchema)
    throw InputError(name, 1, std::string("not an ") + kBaselineSchema + " file");
  if (!j.contains("oracles") || !j.at("oracles").is_object())
    throw InputError(name, 1, "\"oracles\" must be an object");
  std::map<std::string, std::string> out;
  for (const auto& [id, v] : j.at("oracles").items()) {
    if (!find_oracle(id))
      throw InputError(name, line_of_offset(text, text.find("\"" + id + "\"")), "unknown oracle '" + id + "'");
    if (!v.is_string() || (v != "pass" && v != "fail"))
      throw InputError(name, line_of_offset(text, text.find("\"" + id + "\"")),
                       "oracle '" + id + "': expected \"pass\" or \"fail\"");
    out[id] = v.get<std::string>();
  }
  return out;
}

ordered_json baseline_json(const JournalState& st) {
  ordered_json b;
  b["schema"] = kBaselineSchema;
  b["target"] = st.config.target;
  b["options"] = options_json(st.config.options);
  b["oracles"] = ordered_json::object();
  for (const std::string& id : st.config.oracles) {
    auto it = st.tally.find(id);
    if (it == st.tally.end() || it->second.pass + it->second.fail == 0) continue;  // never checked
    b["oracles"][id] = it->second.fail ? "fail" : "pass";
  }
  return b;
}

std::string pair_label(const std::string& target) {
  if (target == "model") return "model Cisco<->Cisco";
  if (target == "strongswan") return "strongSwan<->strongSwan";
  if (target == "libreswan") return "Libreswan<->Libreswan";
  if (target == "strongswan,libreswan") return "strongSwan<->Libreswan";
  if (target == "libreswan,strongswan") return "Libreswan<->strongSwan";
  return target + "<->" + target;
}

ordered_json summary_json(const JournalState& st, const BaselineCheck& baseline, bool* baseline_matches) {
  const CampaignConfig& c = st.config;
  ordered_json s;
  s["schema"] = kSummarySchema;
  s["version"] = "0.1.0";
  s["target"] = c.target;
  // The model: `version` says it all; real targets report theirs ("strongSwan 5.9.8").
  s["target_version"] = c.target_version.empty() ? ordered_json(nullptr) : ordered_json(c.target_version);
  s["seed"] = c.seed;
  s["shard"] = c.shard ? shard_json(*c.shard) : ordered_json(nullptr);
  s["shards"] = ordered_json::array();
  for (const Shard& sh : c.shards) s["shards"].push_back(shard_json(sh));
  s["class"] = c.scenario_class;
  s["options"] = options_json(c.options);
  s["runs"] = c.runs ? ordered_json(*c.runs) : ordered_json(nullptr);
  s["scenarios"] = st.scenarios;
  s["unsupported"] = st.unsupported;
  // Runs the infrastructure spoiled twice (a daemon, our rendering, our timeouts): never judged,
  // never a failure, counted apart (docs/campaign.md "Infrastructure errors").
  s["infrastructure_errors"] = st.infrastructure_errors;
  s["infrastructure_error_files"] = st.infrastructure_error_files;
  // Failures a known divergence explains: journaled, shown with the entry's why, never failures.
  s["expected_deviations"] = st.expected_deviations;
  s["known_divergences_file"] = st.known_divergences_file;
  s["known_divergences"] = ordered_json::array();
  for (const KnownDivergenceTally& k : st.known)
    s["known_divergences"].push_back({{"id", k.entry.id},
                                      {"target", k.entry.target},
                                      {"oracle", k.entry.oracle},
                                      {"what", k.entry.what},
                                      {"why", k.entry.why},
                                      {"evidence", k.entry.evidence},
                                      {"matched", k.matched},
                                      {"scenarios", k.scenarios}});
  s["complete"] = st.ended && !st.interrupted;
  const double elapsed = st.total_elapsed();
  s["elapsed_s"] = elapsed;
  s["scenarios_per_s"] = elapsed > 0 ? static_cast<double>(st.scenarios) / elapsed : 0.0;
  s["baseline"] = baseline.path ? ordered_json(*baseline.path) : ordered_json(nullptr);
  bool matches = true;
  s["oracles"] = ordered_json::array();
  for (const std::string& id : c.oracles) {
    const Oracle* o = find_oracle(id);
    OracleTally t;
    if (auto it = st.tally.find(id); it != st.tally.end()) t = it->second;
    const std::string expected = baseline.expected.count(id) ? baseline.expected.at(id) : "pass";
    const bool checked = t.pass + t.fail + t.expected > 0;
    if (checked && (t.fail ? "fail" : "pass") != expected) matches = false;
    // TLS-Anvil's category: failures the baseline expects, or only failures a known divergence explains.
    const bool deviation = (baseline.path && t.fail && expected == "fail") || (!t.fail && t.expected);
    ordered_json e;
    e["id"] = id;
    e["statement"] = o ? std::string(o->statement()) : "";
    e["rules"] = ordered_json::array();
    e["classes"] = ordered_json::array();
    if (o) {
      for (auto r : o->rules()) e["rules"].push_back(std::string(r));
      for (auto k : o->classes()) e["classes"].push_back(std::string(k));
    }
    e["target"] = c.target;
    e["status"] = !checked ? "not_checked" : deviation ? "expected_deviation" : t.fail ? "failed" : "passed";
    e["checked"] = t.pass + t.fail + t.expected;
    e["failed"] = t.fail;
    if (t.expected) e["expected_deviations"] = t.expected;
    e["skipped"] = t.skip;
    e["expected_deviation"] = deviation;
    e["counterexamples"] = t.counterexamples;
    s["oracles"].push_back(std::move(e));
  }
  s["baseline_matches"] = baseline.path ? ordered_json(matches) : ordered_json(nullptr);
  if (baseline_matches) *baseline_matches = matches;
  if (!c.diff_targets.empty()) {  // multi-target campaigns (docs/campaign.md "Several targets")
    s["targets"] = ordered_json::array();
    s["targets"].push_back(
        {{"name", c.target},
         {"role", "main"},
         {"version", c.target_version.empty() ? ordered_json(nullptr) : ordered_json(c.target_version)}});
    for (const std::string& d : c.diff_targets) {
      auto v = c.diff_target_versions.find(d);
      s["targets"].push_back(
          {{"name", d},
           {"role", "companion"},
           {"version", v == c.diff_target_versions.end() ? ordered_json(nullptr) : ordered_json(v->second)}});
    }
    s["matrix"] = ordered_json::array();
    for (const auto& [cls, row] : st.matrix)
      for (const auto& [target, cell] : row)
        s["matrix"].push_back({{"class", cls},
                               {"target", target},
                               {"pair", pair_label(target)},
                               {"scenarios", cell.scenarios},
                               {"ike_up", cell.ike_up},
                               {"agree", cell.agree},
                               {"disagree", cell.disagree},
                               {"skipped", cell.skip},
                               {"counterexamples", cell.counterexamples}});
  }
  return s;
}

std::string safe_file_part(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                    ch == '-' || ch == '.';
    out += ok ? ch : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out.substr(0, 64);
}

}  // namespace ikeconform::campaign
