// `ikeconform replay FILE`: run a saved counterexample (or any scenario/1 file) in both directions
// on a target and re-check the oracle(s) (campaign::replay). Exit 1 while an oracle still fails.
#include <fmt/format.h>

#include "campaign/campaign.hpp"
#include "cli/commands.hpp"
#include "drivers/pki/pki.hpp"
#include "fuzzpeer/fuzz_peer.hpp"
#include "model/input_error.hpp"
#include "model/options.hpp"

namespace ikeconform::cli {

void register_replay(CLI::App& app, Outcome& out) {
  auto a = std::make_shared<campaign::ReplaySpec>();
  CLI::App* cmd = app.add_subcommand("replay", "Re-run a saved counterexample and re-check its oracle(s)");
  cmd->add_option("file", a->file, "Counterexample scenario (DIR/counterexamples/P-1-1.json) or any scenario/1 file")
      ->required();
  cmd->add_option("--oracle", a->oracles,
                  "Oracles to check (default: the recorded one, else all that apply to the target)");
  cmd->add_option("--model-option", a->model_options,
                  "KEY=VALUE on top of the recorded options: " + model_option_help());
  cmd->add_option("--target", a->target,
                  "model, strongswan, libreswan, strongswan,libreswan, libreswan,strongswan, cisco-ios, "
                  "cisco-ios,strongswan, "
                  "strongswan,cisco-ios, cisco-ios,libreswan, libreswan,cisco-ios or exec:PATH (default: the "
                  "target the "
                  "counterexample was found on)");
  cmd->add_option("--diff-target", a->diff_targets,
                  "DIFF-STACKS: run the scenario on this target too (repeatable; default: the companions the "
                  "counterexample recorded)");
  cmd->add_option("--adapter-arg", a->adapter_args, "exec:PATH: an argument for the adapter (repeatable)");
  cmd->add_option("--peer-bug", a->peer_bugs,
                  "Targets with a cisco-ios side: a protocol bug its emulated router commits (repeatable; "
                  "docs/protocol-bugs.md)");
  cmd->add_option("--adapter-timeout", a->adapter_timeout, "exec:PATH: seconds the adapter may take per reply")
      ->capture_default_str();
  cmd->add_option("--pcap", a->pcap, "Real targets: capture both directions into this pcap file");
  cmd->add_flag("--keep-dirs", a->keep_dirs,
                "Real targets: leave the run folders (configurations, daemon logs) on disk");
  cmd->callback([a, &out] {
    if (fuzzpeer::is_finding_file(a->file)) {  // a fuzz-peer finding (docs/fuzzing.md)
      fuzzpeer::ReplayOptions o;
      o.finding = a->file;
      o.self = std::filesystem::read_symlink("/proc/self/exe");
      o.key_cache = pki::KeyCache::default_dir();
      o.temp_dir = std::filesystem::temp_directory_path();
      o.print = [](const std::string& s) { fmt::print("{}\n", s); };
      try {
        out.exit_code = fuzzpeer::replay_finding(o);
      } catch (const InputError&) {
        throw;
      } catch (const std::exception& e) {
        fmt::print(stderr, "ikeconform replay: harness failure: {}\n", e.what());
        out.exit_code = fuzzpeer::kExitHarness;
      }
      return;
    }
    const campaign::ReplayResult r = campaign::replay(*a);
    fmt::print("{}", r.text);
    out.exit_code = r.exit_code;
  });
}

}  // namespace ikeconform::cli
