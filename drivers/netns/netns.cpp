#include "drivers/netns/netns.hpp"

#include <arpa/inet.h>

#include <atomic>
#include <csignal>
#include <sstream>
#include <stdexcept>

namespace ikeconform::netns {
namespace {

using process::Argv;
constexpr milliseconds kIpTimeout{5000};

std::uint32_t parse_ipv4(const std::string& address) {
  in_addr a{};
  if (::inet_pton(AF_INET, address.c_str(), &a) != 1)
    throw std::invalid_argument("not an IPv4 address: '" + address + "'");
  return ntohl(a.s_addr);
}

// `ip addr add` arguments for `self`: a shared /24 when there is one, else a /32 with a
// route to the peer (any two addresses work).
Argv address_args(const std::string& self, const std::string& peer) {
  if ((parse_ipv4(self) >> 8) == (parse_ipv4(peer) >> 8)) return {self + "/24"};
  return {self, "peer", peer + "/32"};
}

void ip(const Argv& args, milliseconds timeout) {
  Argv argv{"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  process::check_run(argv, {}, timeout);
}

std::string next_name() {
  static std::atomic<int> counter{0};
  return process::run_prefix() + "n" + std::to_string(counter++);
}

}  // namespace

std::vector<std::string> list_namespaces() {
  const auto r = process::check_run({"ip", "netns", "list"}, {}, kIpTimeout);
  std::vector<std::string> names;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    const std::string name = line.substr(0, line.find(' '));  // "NAME (id: 3)"
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

void remove_namespace(const std::string& ns) {
  const auto pids = process::run({"ip", "netns", "pids", ns}, {}, kIpTimeout);
  std::istringstream in(pids.out);
  for (int pid = 0; in >> pid;) ::kill(pid, SIGKILL);
  process::run({"ip", "netns", "del", ns}, {}, kIpTimeout);
}

std::vector<std::string> sweep_stale() {
  std::vector<std::string> removed;
  for (const std::string& ns : list_namespaces()) {
    if (!process::is_stale(ns)) continue;
    remove_namespace(ns);
    removed.push_back(ns);
  }
  return removed;
}

NetnsPair::NetnsPair(const std::string& address_a, const std::string& address_b, milliseconds timeout)
    : address_{address_a, address_b}, ifname_{"ikc-a", "ikc-b"}, timeout_(timeout) {
  const auto start = std::chrono::steady_clock::now();
  const Argv addr_a = address_args(address_a, address_b), addr_b = address_args(address_b, address_a);
  const std::string base = next_name();
  ns_ = {base + "a", base + "b"};
  // Registered before creation, so that a partial pair is swept on Ctrl-C too.
  token_ = cleanup::add("namespaces " + base, [ns = ns_] {
    for (const std::string& n : ns) remove_namespace(n);
  });
  try {
    for (const std::string& n : ns_) ip({"netns", "add", n}, timeout_);
    // Both ends are created inside their namespaces: interface names need not be unique.
    ip({"link", "add", ifname_[0], "netns", ns_[0], "type", "veth", "peer", "name", ifname_[1], "netns", ns_[1]},
       timeout_);
    const std::array<const Argv*, 2> addr{&addr_a, &addr_b};
    for (std::size_t side = 0; side < 2; ++side) {
      Argv add{"-n", ns_[side], "addr", "add"};
      add.insert(add.end(), addr[side]->begin(), addr[side]->end());
      add.insert(add.end(), {"dev", ifname_[side]});
      ip(add, timeout_);
      ip({"-n", ns_[side], "link", "set", "lo", "up"}, timeout_);
      ip({"-n", ns_[side], "link", "set", ifname_[side], "up"}, timeout_);
    }
  } catch (...) {
    if (cleanup::release(token_))
      for (const std::string& n : ns_) remove_namespace(n);
    throw;
  }
  setup_time_ = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

NetnsPair::~NetnsPair() {
  if (!cleanup::release(token_)) return;  // cleanup_all() already removed them
  for (const std::string& n : ns_) remove_namespace(n);
}

Argv NetnsPair::exec_argv(std::size_t side, const Argv& argv) const {
  Argv full{"ip", "netns", "exec", ns(side)};
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

process::RunResult NetnsPair::exec(std::size_t side, const Argv& argv, const process::Env& env,
                                   milliseconds timeout) const {
  return process::run(exec_argv(side, argv), env, timeout);
}

}  // namespace ikeconform::netns
