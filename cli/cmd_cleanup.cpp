// `ikeconform cleanup`: remove what killed runs left behind (namespaces, daemons inside them,
// temporary folders). A live run's leftovers are never touched: names carry the run's pid.
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/process/process.hpp"

namespace ikeconform::cli {

void register_cleanup(CLI::App& app, Outcome& out) {
  auto base = std::make_shared<std::string>(std::filesystem::temp_directory_path().string());
  CLI::App* cmd = app.add_subcommand("cleanup",
                                     "Remove network namespaces, daemons and temp folders of dead ikeconform runs");
  cmd->add_option("--temp-dir", *base, "Where runs make their temporary folders")->capture_default_str();
  cmd->callback([base, &out] {
    auto namespaces = netns::sweep_stale();
    std::size_t dirs = process::sweep_stale_dirs(*base);
    for (const std::string& ns : namespaces) fmt::print("removed namespace {}\n", ns);
    fmt::print("cleanup: {} namespace(s), {} folder(s) of dead runs removed\n", namespaces.size(), dirs);
    out.exit_code = 0;
  });
}

}  // namespace ikeconform::cli
