// One pluto (Libreswan 4.10) serving one peer: inside its network namespace AND a private mount
// namespace where the privately unpacked Libreswan's usr/libexec is bind-mounted on /usr/libexec
// (pluto runs /usr/libexec/ipsec/... from paths compiled into it; Debian's package conflicts
// with strongSwan's, so it is not installed system-wide). Controlled from outside through its
// control socket with whack / addconn; every call has a timeout. The mount namespace lives
// exactly as long as pluto: nothing to unmount afterwards, nothing leaks into the host.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "drivers/process/process.hpp"
#include "drivers/stack/stack.hpp"  // StackOptions

namespace ikeconform::netns {
class NetnsPair;
}

namespace ikeconform::libreswan {

using Millis = std::chrono::milliseconds;

// The unpacked Libreswan (holding usr/libexec/ipsec/pluto): $IKECONFORM_LIBRESWAN, else the
// project's third_party/libreswan (scripts/bootstrap makes it).
std::filesystem::path libreswan_prefix();
// Empty when pluto, whack and addconn are there and start; else why not (for loud test skips).
std::string libreswan_unavailable();

class Pluto {
 public:
  // Files live in `dir` (created): ipsec.conf, ipsec.secrets, nss/, run/, pluto.log. Not started.
  // `prefix`: the unpacked Libreswan. Timeouts: start, control (whack / addconn), stop grace.
  Pluto(const netns::NetnsPair& net, std::size_t side, std::filesystem::path dir, const stack::StackOptions& o = {},
        std::filesystem::path prefix = libreswan_prefix());
  ~Pluto();
  Pluto(const Pluto&) = delete;
  Pluto& operator=(const Pluto&) = delete;

  // Starts pluto and waits until whack answers; revival is impaired (a failed connection must
  // not come back by itself). Throws process::ProcessError with the log tail.
  void start();
  void stop();
  bool alive();
  std::optional<int> pid() const;  // while it runs
  Millis start_time() const { return start_time_; }
  std::string report();  // daemon status + log tail

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path nss_dir() const { return dir_ / "nss"; }
  std::filesystem::path log_file() const { return dir_ / "pluto.log"; }
  std::filesystem::path rundir() const { return dir_ / "run"; }

  // whack --rundir DIR/run ARGS... (exit status unreliable: callers read the output and logs).
  process::RunResult whack(const process::Argv& args) const;
  // Deletes `old` connections (`whack --delete --name`: their states go with them), writes
  // ipsec.conf / ipsec.secrets and loads every `auto=add` connection (addconn --autoall, which
  // also rereads the secrets) -- in one shell, one process start for the harness. Throws
  // std::runtime_error when addconn or pluto report an error.
  void replace_connections(const std::vector<std::string>& old, const std::string& ipsec_conf,
                           const std::string& secrets);
  void delete_connections(const std::vector<std::string>& names) { replace_connections(names, {}, {}); }
  // `whack --name N --terminate` for each: every state of theirs deleted, the connections kept
  // (revival is impaired: nothing comes back). Throws std::runtime_error on a timeout.
  void terminate_connections(const std::vector<std::string>& names);

  std::uintmax_t log_size() const;
  // Complete lines appended since `offset`; `offset` moves past them.
  std::vector<std::string> read_log(std::uintmax_t& offset) const;

 private:
  process::Argv daemon_argv() const;
  std::filesystem::path tool(const char* name) const;
  const netns::NetnsPair& net_;
  std::size_t side_;
  std::filesystem::path dir_;
  stack::StackOptions o_;
  std::filesystem::path prefix_;
  std::unique_ptr<process::Daemon> daemon_;
  Millis start_time_{0};
};

}  // namespace ikeconform::libreswan
