// `ikeconform merge OUT DIR...`: the shards of one campaign into one journal and summary, with
// counterexample files copied and renumbered (docs/campaign.md "Sharding").
#include <fmt/format.h>

#include <filesystem>

#include "cli/campaign_files.hpp"
#include "cli/commands.hpp"
#include "model/input_error.hpp"
#include "reports/reports.hpp"

namespace ikeconform::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct MergeArgs {
  std::string out;
  std::vector<std::string> dirs;
};

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

int run_merge(const MergeArgs& a) {
  const fs::path out = a.out;
  if (fs::exists(out / "journal.jsonl")) throw InputError((out / "journal.jsonl").string(), 0, "exists; merge into a new folder");
  std::vector<JournalState> states;
  std::vector<std::vector<json>> lines;
  for (const std::string& d : a.dirs) {
    const fs::path j = fs::path(d) / "journal.jsonl";
    states.push_back(read_journal(j));
    lines.push_back(read_journal_lines(j));
    if (std::string diff = config_difference(states.front().config, states.back().config, false); !diff.empty())
      throw InputError(j.string(), 1, "not a shard of the same campaign as " + a.dirs.front() + ": " + diff);
  }
  CampaignConfig merged = states.front().config;
  merged.shard.reset();
  merged.shards.clear();
  double elapsed = 0;
  bool interrupted = false;
  for (const JournalState& st : states) {
    for (const Shard& s : st.config.shards) {
      if (std::find(merged.shards.begin(), merged.shards.end(), s) != merged.shards.end())
        throw InputError(a.dirs[static_cast<std::size_t>(&st - states.data())], 0, fmt::format("shard {}/{} given twice", s.index, s.count));
      merged.shards.push_back(s);
    }
    if (st.config.runs && (!merged.runs || *st.config.runs > *merged.runs)) merged.runs = st.config.runs;
    elapsed += st.total_elapsed();
    interrupted |= st.interrupted || !st.ended;
  }
  fs::create_directories(out / "counterexamples");
  std::string text = header_json(merged).dump() + "\n";
  std::unordered_set<std::uint64_t> seen;
  std::map<std::string, std::uint64_t> numbers;
  std::uint64_t scenarios = 0;
  for (std::size_t k = 0; k < lines.size(); ++k)
    for (const json& l : lines[k]) {
      const std::string type = l.value("type", "");
      if (type == "scenario") {
        if (!seen.insert(l.at("index").get<std::uint64_t>()).second) continue;
        ++scenarios;
        text += l.dump() + "\n";
      } else if (type == "counterexample") {
        const std::uint64_t n = ++numbers[l.at("oracle").get<std::string>()];
        text += copy_counterexample(a.dirs[k], out, l, n).dump() + "\n";
      }
    }
  text += fmt::format(R"({{"type":"end","scenarios":{},"session_scenarios":{},"elapsed_s":{:.3f},"interrupted":{}}})", scenarios, scenarios,
                      elapsed, interrupted) +
          "\n";
  write_file_atomic(out / "journal.jsonl", text);
  const JournalState st = read_journal(out / "journal.jsonl");
  const auto summary = summary_json(st, BaselineCheck{});
  write_file_atomic(out / "summary.json", summary.dump(2) + "\n");
  try {  // docs/reports.md: the merged folder gets its report like a campaign's
    reports::write_reports(out);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ikeconform: warning: reports not written: {}\n", e.what());
  }
  fmt::print("merge: {} shards, {} scenarios into {}\n", merged.shards.size(), st.scenarios, out.string());
  for (const auto& o : summary["oracles"])
    fmt::print("  {:<4} {:<18} checked {:>8}  failed {:>7}\n", o["id"].get<std::string>(), o["status"].get<std::string>(),
               o["checked"].get<std::uint64_t>(), o["failed"].get<std::uint64_t>());
  return st.any_failure() ? 1 : 0;
}

}  // namespace

void register_merge(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand("merge", "Merge the journals of a sharded campaign into one journal and summary");
  cmd->add_option("out", a->out, "Output folder")->required();
  cmd->add_option("dirs", a->dirs, "Shard output folders")->required()->expected(1, -1);
  cmd->callback([a, &out] { out.exit_code = run_merge(*a); });
}

}  // namespace ikeconform::cli
