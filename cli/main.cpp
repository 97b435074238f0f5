// `ikeconform`: the command-line front of the harness (README "Commands").
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "model/input_error.hpp"

int main(int argc, char** argv) {
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
    return 2;  // usage errors are input errors
  } catch (const ikeconform::InputError& e) {
    fmt::print(stderr, "ikeconform: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ikeconform: error: {}\n", e.what());
    return 2;
  }
  return out.exit_code;
}
