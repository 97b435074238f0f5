// `--target exec:PATH`: an implementation under test in another process, driven through the
// ikeconform.adapter/1 line protocol (protocol.hpp, docs/adapter-protocol.md) over its stdin and
// stdout; its stderr goes to a file whose tail explains failures.
//
// Every read has a deadline. An adapter that dies, stays silent past the deadline or writes a
// line that is not the protocol gives an INTERNAL_ERROR observation carrying its stderr tail,
// never a hang; it is stopped (SIGTERM to its process group, then SIGKILL), whatever it left in
// namespaces or temp folders is swept, and a fresh adapter is started for the next scenario.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/adapter/protocol.hpp"
#include "target/target.hpp"

namespace ikeconform::process {
class TempDir;
}
namespace ikeconform::pki {
class KeyCache;
}

namespace ikeconform::adapter {

using Millis = std::chrono::milliseconds;

struct ExecOptions {
  std::vector<std::string> args;  // --adapter-arg ARG...
  Millis hello_timeout{10000};    // from start to the adapter's hello
  Millis reply_timeout{30000};    // every other reply
  Millis stop_timeout{10000};     // bye -> exit, before SIGTERM
  std::filesystem::path temp_dir = std::filesystem::temp_directory_path();
  std::filesystem::path key_cache;  // for the PKI the adapter may ask for; empty: the default cache
  std::size_t stderr_tail = 20;     // lines quoted in INTERNAL_ERROR traces
};

// The adapter failed as a process or as a protocol speaker (not: it answered "error").
class AdapterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ExecTarget final : public Target {
 public:
  // Starts the adapter and exchanges hellos; throws AdapterError when it cannot (not found, no
  // hello, another protocol major version).
  ExecTarget(std::string path, ExecOptions o = {});
  ~ExecTarget() override;
  ExecTarget(const ExecTarget&) = delete;
  ExecTarget& operator=(const ExecTarget&) = delete;

  std::string name() const override { return "exec:" + path_; }
  Observation run(const Scenario& s, std::uint8_t initiator) override;
  std::string personality() const override { return hello_.personality; }
  Expressible expressible() const override { return expressible_from(hello_.cannot_express); }
  std::optional<std::string> version() override;
  bool slow() const override { return true; }
  std::vector<RenderedFile> render(const Scenario& s) override;
  bool set_capture(const std::optional<std::filesystem::path>& file) override;

  const AdapterHello& hello() const { return hello_; }
  std::uint64_t restarts() const { return restarts_; }  // adapters started after the first
  int pid() const;                                      // the running adapter's, or -1

 private:
  class Process;
  void start();
  void stop_adapter(bool graceful);
  AdapterMessage request(const HarnessMessage& m, Millis timeout);
  // Sends the scenario unless it is the one the adapter holds; returns the unsupported reason.
  std::optional<std::string> prepare(const Scenario& s);
  std::optional<PkiFiles> pki_for(const Scenario& s);
  Observation failed(const Scenario& s, std::uint8_t initiator, const std::string& what);

  std::string path_;
  ExecOptions opts_;
  std::unique_ptr<process::TempDir> dir_;  // stderr logs of the adapters started
  std::filesystem::path stderr_file_;      // the running adapter's
  std::unique_ptr<Process> proc_;
  AdapterHello hello_;
  std::uint64_t next_id_ = 1;
  std::uint64_t restarts_ = 0;
  std::optional<Scenario> held_;  // the scenario the running adapter holds
  std::uint64_t held_id_ = 0;
  std::optional<std::string> held_unsupported_;
  std::optional<std::filesystem::path> capture_;
  std::unique_ptr<pki::KeyCache> keys_;
  std::unique_ptr<process::TempDir> pki_dir_;
  std::optional<Scenario> pki_scenario_;
  std::optional<PkiFiles> pki_;
};

}  // namespace ikeconform::adapter
