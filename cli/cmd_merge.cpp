// `ikeconform merge OUT DIR...`: the shards of one campaign into one journal and summary
// (campaign::merge; docs/campaign.md "Sharding").
#include <fmt/format.h>

#include "campaign/campaign.hpp"
#include "cli/commands.hpp"

namespace ikeconform::cli {

void register_merge(CLI::App& app, Outcome& out) {
  struct MergeArgs {
    std::string out;
    std::vector<std::string> dirs;
  };
  auto a = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand("merge", "Merge the journals of a sharded campaign into one journal and summary");
  cmd->add_option("out", a->out, "Output folder")->required();
  cmd->add_option("dirs", a->dirs, "Shard output folders")->required()->expected(1, -1);
  cmd->callback([a, &out] {
    const campaign::MergeResult r = campaign::merge(a->out, {a->dirs.begin(), a->dirs.end()});
    for (const std::string& w : r.warnings) fmt::print(stderr, "ikeconform: warning: {}\n", w);
    fmt::print("merge: {} shards, {} scenarios into {}\n", r.shards, r.scenarios, a->out);
    for (const auto& o : r.summary["oracles"])
      fmt::print("  {:<4} {:<18} checked {:>8}  failed {:>7}\n", o["id"].get<std::string>(),
                 o["status"].get<std::string>(), o["checked"].get<std::uint64_t>(), o["failed"].get<std::uint64_t>());
    out.exit_code = r.exit_code;
  });
}

}  // namespace ikeconform::cli
