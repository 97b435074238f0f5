// Running external programs (ip, swanctl, charon, pluto, certutil ...) with a timeout on every
// call, supervising long-lived daemons, and temporary folders; all registered for cleanup.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "drivers/process/cleanup.hpp"

namespace ikeconform::process {

using Argv = std::vector<std::string>;
// Variables added to (or overriding) the harness's own environment.
using Env = std::map<std::string, std::string>;
using std::chrono::milliseconds;

// The program could not be started, or a daemon died or never became ready.
class ProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunResult {
  int exit_code = -1;  // exit status; 128 + signal number when killed by a signal
  std::string out;     // stdout (also the part read before a timeout)
  std::string err;     // stderr
  bool timed_out = false;
  milliseconds elapsed{0};
  bool ok() const { return exit_code == 0 && !timed_out; }
  // "ip netns add x: exit 1: <stderr>" for error messages.
  std::string describe(const Argv& argv) const;
};

// Runs argv (argv[0] searched on PATH) in its own process group, stdin from /dev/null.
// On timeout the whole group gets SIGKILL. Throws ProcessError only when it cannot start.
RunResult run(const Argv& argv, const Env& env = {}, milliseconds timeout = milliseconds(10000));

// run() that throws ProcessError with stderr when the command fails or times out.
RunResult check_run(const Argv& argv, const Env& env = {}, milliseconds timeout = milliseconds(10000));

// "<word> <version>" cut from the first line of a command's output that names `word`
// ("Libreswan 4.10" from `pluto --version`); nullopt when it does not run or say so.
std::optional<std::string> version_from(const Argv& argv, const std::string& word);

// Shell-like rendering for logs and error messages.
std::string quote(const Argv& argv);

// The last `n` lines of a text file ("" when it does not exist).
std::string tail_lines(const std::filesystem::path& file, std::size_t n);

// Small file helpers for configurations and logs the drivers write and read.
// write_file: replaces the file's content; throws std::runtime_error when it cannot.
void write_file(const std::filesystem::path& file, const std::string& text);
// The whole file; throws std::runtime_error when it cannot be read.
std::string read_file(const std::filesystem::path& file);
// 0 when the file does not exist (yet): where a daemon's log starts for a run.
std::uintmax_t file_size_or_zero(const std::filesystem::path& file);
// The complete lines appended to a log since `offset`, which moves past them; a last line
// without its newline is still being written and is left for the next call.
std::vector<std::string> read_new_lines(const std::filesystem::path& file, std::uintmax_t& offset);

struct DaemonSpec {
  std::string name;  // for messages: "charon R1"
  Argv argv;
  Env env;
  std::filesystem::path log_file;                // receives stdout + stderr (appended)
  std::vector<std::filesystem::path> more_logs;  // logs the daemon writes itself, tailed on errors
  milliseconds stop_grace{3000};                 // SIGTERM, then SIGKILL after this
  std::size_t tail = 20;                         // lines of each log quoted in errors
  // Entered by the child between fork and exec, where `unshare -m`, `mount --bind` and `ip netns
  // exec` were four more processes per daemon start: a network namespace file to join
  // (/run/netns/NAME), and bind mounts (source, target) made in a private mount namespace of
  // its own (propagation private: they never reach the host).
  std::filesystem::path netns;
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> bind_mounts;
};

// A supervised long-lived process in its own process group. Stopped in the destructor.
class Daemon {
 public:
  explicit Daemon(DaemonSpec spec);  // starts it; throws ProcessError when it cannot
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int pid() const { return pid_; }
  bool alive();
  // Exit status once it died (128 + signal when killed by a signal).
  std::optional<int> exit_code();
  // Polls `probe` every `interval` until it returns true; throws ProcessError with the log
  // tails when the daemon dies first or `timeout` passes. Returns the time it took.
  milliseconds wait_ready(const std::function<bool()>& probe, milliseconds timeout,
                          milliseconds interval = milliseconds(10));
  // Throws ProcessError describing the crash when the daemon is no longer running.
  void check_alive();
  // "charon R1 (pid 42) exited with status 1; last lines of LOG: ..."
  std::string report();
  // SIGTERM, grace period, SIGKILL; idempotent. Returns the exit status.
  int stop();

 private:
  DaemonSpec spec_;
  int pid_ = -1;
  std::optional<int> status_;
  cleanup::Token token_ = 0;
};

// mkdtemp(base/prefixXXXXXX); removed recursively in the destructor (unless keep()).
class TempDir {
 public:
  TempDir(const std::filesystem::path& base, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void keep();  // leave it on disk, e.g. for a failing scenario's artifacts

 private:
  std::filesystem::path path_;
  cleanup::Token token_ = 0;
};

// Process status helpers shared with the namespace manager.
bool pid_alive(int pid);  // exists and is not a zombie
// SIGTERM to process group `pgid`, SIGKILL after `grace`; no reaping (the owner may still wait).
void terminate_group(int pgid, milliseconds grace);

// This run's prefix for everything it makes outside itself (namespaces, temp folders):
// "ikc<pid>x<4 hex digits>", short enough to start an interface name. A forked child that goes
// on without exec gets its own.
std::string run_prefix();
// The pid encoded in a name that starts with some run's prefix, if it does.
std::optional<int> run_prefix_pid(const std::string& name);
// True when `name` was made by a run whose process is gone (and is not this process's).
bool is_stale(const std::string& name);
// Removes the folders under `base` that dead runs left behind, and under scratch_base() when
// that is another folder. Returns how many.
std::size_t sweep_stale_dirs(const std::filesystem::path& base);

// Where scratch that is written with fsync and never outlives the run goes (NSS's sqlite
// databases syncs on every object: 35 to 115 fdatasync per certutil / pk12util call): /dev/shm
// when it is a writable tmpfs, else the system's temporary folder.
const std::filesystem::path& scratch_base();

}  // namespace ikeconform::process
