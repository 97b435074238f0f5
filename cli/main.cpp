// `ikeconform`: the command-line front of the harness (README "Commands").
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/commands.hpp"
#include "model/input_error.hpp"

namespace {

// `check --json` writes one JSON object to stdout whatever happens: on exit 2 an `error` object
// (docs/check-json.md), next to the usual message on stderr.
bool check_json(int argc, char** argv) {
  bool check = false, json = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "check" && !check) check = true;
    else if (a == "--json") json = true;
  }
  return check && json;
}

void json_error(const std::string& message, const std::string& file = {}, int line = 0) {
  nlohmann::ordered_json j;
  j["schema"] = "ikeconform.check/1";
  j["error"] = {{"message", message}, {"file", file}, {"line", line}};
  std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = check_json(argc, argv);
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
