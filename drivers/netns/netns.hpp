// Two network namespaces joined by a veth pair: one per IKE peer, so that two daemons bind the
// same port on one machine. Names carry the run prefix so that leftovers of a dead run can be
// found and swept. Everything goes through `ip` with a timeout.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "drivers/process/cleanup.hpp"
#include "drivers/process/process.hpp"

namespace ikeconform::netns {

using cleanup::cleanup_all;               // re-exported for the harness's main
using cleanup::install_cleanup_handlers;  // idem
using std::chrono::milliseconds;

class NetnsPair {
 public:
  // Namespaces "<run prefix>n<k>a" / "...b"; address_a (IPv4) on side 0, address_b on side 1.
  // Same /24: both get a /24; otherwise each gets a point-to-point /32 to the other.
  NetnsPair(const std::string& address_a, const std::string& address_b, milliseconds timeout = milliseconds(5000));
  ~NetnsPair();  // kills what still runs inside, deletes both namespaces
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  const std::string& ns(std::size_t side) const { return ns_.at(side); }
  const std::string& address(std::size_t side) const { return address_.at(side); }
  const std::string& interface(std::size_t side) const { return ifname_.at(side); }
  milliseconds setup_time() const { return setup_time_; }

  // The namespace's file, /run/netns/NS: DaemonSpec::netns.
  std::filesystem::path path(std::size_t side) const { return std::filesystem::path("/run/netns") / ns(side); }
  // {"ip", "netns", "exec", NS, argv...}: for run() or a Daemon.
  process::Argv exec_argv(std::size_t side, const process::Argv& argv) const;
  process::RunResult exec(std::size_t side, const process::Argv& argv, const process::Env& env = {},
                          milliseconds timeout = milliseconds(10000)) const;

 private:
  std::array<std::string, 2> ns_, address_, ifname_;
  milliseconds timeout_;
  milliseconds setup_time_{0};
  cleanup::Token token_ = 0;
};

// Names from `ip netns list`.
std::vector<std::string> list_namespaces();
// Kills every process inside NS, then deletes it; errors ignored (best effort).
void remove_namespace(const std::string& ns);
// Removes namespaces left by runs whose process is gone (the pid in the run prefix).
// Returns their names.
std::vector<std::string> sweep_stale();

}  // namespace ikeconform::netns
