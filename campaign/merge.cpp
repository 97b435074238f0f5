// `ikeconform merge OUT DIR...`: the shards of one campaign into one journal and summary, with
// counterexample files copied and renumbered (docs/campaign.md "Sharding").
#include <fmt/format.h>

#include <filesystem>

#include "campaign/campaign.hpp"
#include "campaign/files.hpp"
#include "campaign/journal.hpp"
#include "campaign/run_folder.hpp"
#include "model/files.hpp"
#include "model/input_error.hpp"

namespace ikeconform::campaign {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Copies one counterexample's files under its new number; returns the rewritten journal line.
json copy_counterexample(const fs::path& from, const fs::path& to, json line, std::uint64_t n) {
  const std::string oracle = line.at("oracle").get<std::string>();
  const fs::path old_scenario = line.at("scenario").get<std::string>();
  const std::string old_base = old_scenario.stem().string();
  const std::string base = safe_file_part(oracle) + "-" + std::to_string(n);
  auto renamed = [&](const std::string& rel) {
    const std::string name = fs::path(rel).filename().string();
    if (name.rfind(old_base, 0) != 0) throw InputError((from / rel).string(), 0, "unexpected counterexample file name");
    return "counterexamples/" + base + name.substr(old_base.size());
  };
  auto copy = [&](const std::string& rel) {
    if (rel.find("..") != std::string::npos || fs::path(rel).is_absolute())
      throw InputError((from / "journal.jsonl").string(), 0, "counterexample path outside the campaign folder: " + rel);
    const std::string dest = renamed(rel);
    fs::copy_file(from / rel, to / dest, fs::copy_options::overwrite_existing);
    return dest;
  };
  line["n"] = n;
  line["scenario"] = copy(line.at("scenario").get<std::string>());
  line["observations"] = copy(line.at("observations").get<std::string>());
  json ios = json::array();
  for (const auto& f : line.value("ios", json::array())) ios.push_back(copy(f.get<std::string>()));
  line["ios"] = ios;
  if (line.contains("configs")) {  // real targets: their own configuration renderings
    json configs = json::array();
    for (const auto& f : line.at("configs")) configs.push_back(copy(f.get<std::string>()));
    line["configs"] = configs;
  }
  if (line.contains("pcap") && line.at("pcap").is_string()) line["pcap"] = copy(line.at("pcap").get<std::string>());
  return line;
}

}  // namespace

MergeResult merge(const fs::path& out, const std::vector<fs::path>& dirs) {
  if (fs::exists(out / "journal.jsonl"))
    throw InputError((out / "journal.jsonl").string(), 0, "exists; merge into a new folder");
  std::vector<JournalState> states;
  std::vector<std::vector<json>> lines;
  for (const fs::path& d : dirs) {
    const fs::path j = d / "journal.jsonl";
    lines.emplace_back();
    states.push_back(read_journal(j, nullptr, &lines.back()));
    if (std::string diff = config_difference(states.front().config, states.back().config, false); !diff.empty())
      throw InputError(j.string(), 1, "not a shard of the same campaign as " + dirs.front().string() + ": " + diff);
  }
  CampaignConfig merged = states.front().config;
  merged.shard.reset();
  merged.shards.clear();
  double elapsed = 0;
  bool interrupted = false;
  for (std::size_t k = 0; k < states.size(); ++k) {
    const JournalState& st = states[k];
    for (const Shard& s : st.config.shards) {
      if (std::find(merged.shards.begin(), merged.shards.end(), s) != merged.shards.end())
        throw InputError(dirs[k].string(), 0, fmt::format("shard {}/{} given twice", s.index, s.count));
      // Shards of different counts overlap (1/2 and 1/3 share index 0): their sum is no campaign.
      if (!merged.shards.empty() && merged.shards.front().count != s.count)
        throw InputError(dirs[k].string(), 0,
                         fmt::format("shard {}/{} does not split the campaign like {}/{}", s.index, s.count,
                                     merged.shards.front().index, merged.shards.front().count));
      merged.shards.push_back(s);
    }
    if (st.config.runs && (!merged.runs || *st.config.runs > *merged.runs)) merged.runs = st.config.runs;
    elapsed += st.total_elapsed();
    interrupted |= st.interrupted || !st.ended;
  }
  fs::create_directories(out / "counterexamples");
  std::string text = header_json(merged).dump() + "\n";
  std::map<std::string, std::uint64_t> numbers;
  std::uint64_t scenarios = 0;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    scenarios += states[k].scenarios;
    for (const json& l : lines[k]) {
      const std::string type = l.value("type", "");
      // "passed" ranges carry their step: valid as they are; known-divergence entries merge by id.
      if (type == "scenario" || type == "passed" || type == "known_divergences") {
        text += l.dump() + "\n";
      } else if (type == "counterexample") {
        const std::uint64_t n = ++numbers[l.at("oracle").get<std::string>()];
        text += copy_counterexample(dirs[k], out, l, n).dump() + "\n";
      }
    }
  }
  text += end_line(scenarios, scenarios, elapsed, interrupted);
  write_file_atomic(out / "journal.jsonl", text);
  const JournalState st = read_journal(out / "journal.jsonl");
  MergeResult r;
  r.summary = summary_json(st, BaselineCheck{});
  write_file_atomic(out / "summary.json", r.summary.dump(2) + "\n");
  try {  // docs/reports.md: the merged folder gets its report like a campaign's
    write_reports(out);
  } catch (const std::exception& e) {
    r.warnings.push_back(std::string("reports not written: ") + e.what());
  }
  r.shards = merged.shards.size();
  r.scenarios = st.scenarios;
  r.exit_code = st.any_failure() ? 1 : 0;
  return r;
}

}  // namespace ikeconform::campaign
