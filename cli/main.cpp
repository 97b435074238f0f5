// `ikeconform`: the command-line front of the harness (README "Commands").
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/commands.hpp"
#include "model/input_error.hpp"

namespace {

// `check --json` and `emulate --json` write one JSON object to stdout whatever happens: on exit
// 2 an `error` object (docs/check-json.md, docs/emulate.md), next to the usual message on stderr.
// Returns the command's schema, "" without --json.
std::string json_schema(int argc, char** argv) {
  std::string command;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "check" || a == "emulate") && command.empty()) command = a;
    else if (a == "--json") json = true;
  }
  return json && !command.empty() ? "ikeconform." + command + "/1" : "";
}

std::string g_schema;

void json_error(const std::string& message, const std::string& file = {}, int line = 0) {
  nlohmann::ordered_json j;
  j["schema"] = g_schema;
  j["error"] = {{"message", message}, {"file", file}, {"line", line}};
  std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  // A write to a pipe or socket whose reader is gone (a daemon's, an adapter's, our own stdout's)
  // is an EPIPE error the caller handles, never a death that skips the cleanup of namespaces,
  // daemons and folders (a Libreswan soak under scripts/soak died of SIGPIPE once, leaving them).
  std::signal(SIGPIPE, SIG_IGN);
  g_schema = json_schema(argc, argv);
  const bool json = !g_schema.empty();
  CLI::App app{"ikeconform: property-based conformance and fuzzing harness for IKE certificate negotiation"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ikeconform 0.1.0");
  ikeconform::cli::Outcome out;
  ikeconform::cli::register_check(app, out);
  ikeconform::cli::register_campaign(app, out);
  ikeconform::cli::register_replay(app, out);
  ikeconform::cli::register_merge(app, out);
  ikeconform::cli::register_report(app, out);
  ikeconform::cli::register_diff(app, out);
  ikeconform::cli::register_pcap(app, out);
  ikeconform::cli::register_cleanup(app, out);
  ikeconform::cli::register_emulate(app, out);
  ikeconform::cli::register_fuzz_peer(app, out);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    if (json) json_error(e.what());
    return 2;  // usage errors are input errors
  } catch (const ikeconform::InputError& e) {
    fmt::print(stderr, "ikeconform: {}\n", e.what());
    if (json) json_error(e.what(), e.file(), e.line());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ikeconform: error: {}\n", e.what());
    if (json) json_error(e.what());
    return 2;
  }
  return out.exit_code;
}
