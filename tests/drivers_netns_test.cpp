// Namespace pairs: connectivity, removal by the destructor, by cleanup_all(), and sweeping of
// namespaces left by dead runs. Needs root (label `root`).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "drivers/netns/netns.hpp"
#include "drivers_test_util.hpp"

namespace ikeconform::netns {
namespace {

using namespace std::chrono_literals;

#define REQUIRE_ROOT() \
  if (!testing::is_root()) GTEST_SKIP() << "needs root: creates network namespaces (run as root or under sudo)"

bool exists(const std::string& ns) {
  const auto names = list_namespaces();
  return std::find(names.begin(), names.end(), ns) != names.end();
}

bool have_python() { return process::run({"sh", "-c", "command -v python3"}).ok(); }

// A UDP datagram from one side arrives at the other side's address (IKE's transport).
bool udp_reaches(const NetnsPair& pair, std::size_t from, std::size_t to) {
  process::TempDir dir(std::filesystem::temp_directory_path(), "netns-udp-");
  process::DaemonSpec spec;
  spec.name = "udp listener";
  spec.argv = pair.exec_argv(to, {"python3", "-c",
                                  "import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); "
                                  "s.bind((sys.argv[1],5500));"
                                  "print('bound',flush=True); print(s.recvfrom(64)[0].decode(),flush=True)",
                                  pair.address(to)});
  spec.log_file = dir.path() / "log";
  process::Daemon listener(spec);
  listener.wait_ready([&] { return process::tail_lines(spec.log_file, 1) == "bound"; }, 5s);
  pair.exec(from, {"python3", "-c",
                   "import socket,sys; "
                   "socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b'hello',(sys.argv[1],5500))",
                   pair.address(to)});
  for (int i = 0; i < 100; ++i) {
    if (process::tail_lines(spec.log_file, 1) == "hello") return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

TEST(Netns, PairIsConnectedAndRemovedByDestructor) {
  REQUIRE_ROOT();
  std::string a, b;
  {
    NetnsPair pair("192.168.0.1", "192.168.0.2");
    std::cout << "[ timing ] netns pair setup: " << pair.setup_time().count() << " ms\n";
    a = pair.ns(0);
    b = pair.ns(1);
    EXPECT_EQ(a.rfind(process::run_prefix(), 0), 0U);
    EXPECT_TRUE(exists(a) && exists(b));
    const auto addr = pair.exec(0, {"ip", "-o", "-4", "addr", "show", "dev", pair.interface(0)});
    EXPECT_NE(addr.out.find("192.168.0.1/24"), std::string::npos) << addr.out;
    const auto lo = pair.exec(1, {"ip", "-o", "link", "show", "lo"});
    EXPECT_NE(lo.out.find("UP"), std::string::npos) << lo.out;
    if (have_python()) {
      EXPECT_TRUE(udp_reaches(pair, 0, 1));
    }
  }
  EXPECT_FALSE(exists(a));
  EXPECT_FALSE(exists(b));
}

TEST(Netns, AddressesInDifferentSubnetsGetPointToPointRoutes) {
  REQUIRE_ROOT();
  NetnsPair pair("10.1.0.1", "172.16.5.9");
  const auto route = pair.exec(0, {"ip", "-4", "route", "get", "172.16.5.9"});
  EXPECT_TRUE(route.ok()) << route.describe({"ip route get"});
  if (have_python()) {
    EXPECT_TRUE(udp_reaches(pair, 1, 0));
  }
}

TEST(Netns, RejectsNonIpv4Addresses) { EXPECT_THROW(NetnsPair("R1", "192.168.0.2"), std::invalid_argument); }

TEST(Netns, CleanupAllRemovesLivePairs) {
  REQUIRE_ROOT();
  auto pair = std::make_unique<NetnsPair>("192.168.0.1", "192.168.0.2");
  const std::string a = pair->ns(0);
  cleanup_all();  // what the SIGINT handler does
  EXPECT_FALSE(exists(a));
  pair.reset();  // the destructor then has nothing left to do
}

// A daemon that enters its namespace and bind mounts between fork and exec (DaemonSpec::netns,
// bind_mounts; how pluto starts): it sees its side's address and the mounted folder, and the
// host sees neither the mount nor anything left once the daemon stops.
TEST(Netns, DaemonJoinsNamespaceAndBindMountsBeforeExec) {
  REQUIRE_ROOT();
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-enter-");
  std::filesystem::create_directories(dir.path() / "from");
  std::filesystem::create_directories(dir.path() / "to");
  process::write_file(dir.path() / "from" / "marker", "seen through the bind mount\n");
  NetnsPair pair("192.168.0.1", "192.168.0.2");
  process::DaemonSpec spec;
  spec.name = "entered";
  spec.argv = {"sh", "-c", "cat \"$0/marker\"; ip -o -4 addr show; exec sleep 100", (dir.path() / "to").string()};
  spec.log_file = dir.path() / "log";
  spec.stop_grace = 500ms;
  spec.netns = pair.path(1);
  spec.bind_mounts = {{dir.path() / "from", dir.path() / "to"}};
  process::Daemon d(spec);
  d.wait_ready([&] { return process::read_file(dir.path() / "log").find("192.168.0.2/") != std::string::npos; }, 5000ms,
               10ms);
  const std::string log = process::read_file(dir.path() / "log");
  EXPECT_NE(log.find("seen through the bind mount"), std::string::npos) << log;
  EXPECT_EQ(log.find("192.168.0.1/"), std::string::npos) << "not side 1's namespace:\n" << log;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "to" / "marker")) << "the bind mount reached the host";
  d.stop();
}

// A namespace file that does not exist is an error of the start, not of the child.
TEST(Netns, DaemonWithMissingNamespaceFileThrows) {
  process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-enter-");
  process::DaemonSpec spec;
  spec.name = "nowhere";
  spec.argv = {"sleep", "100"};
  spec.log_file = dir.path() / "log";
  spec.netns = dir.path() / "no-such-namespace";
  EXPECT_THROW(process::Daemon{spec}, process::ProcessError);
}

// Ctrl-C in a harness: a forked "harness" makes a pair with a daemon inside and gets SIGINT.
TEST(Netns, SigintRemovesPairsAndDaemons) {
  REQUIRE_ROOT();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    install_cleanup_handlers();
    process::TempDir dir(std::filesystem::temp_directory_path(), process::run_prefix() + "-sig-");
    NetnsPair pair("192.168.0.1", "192.168.0.2");
    process::Daemon d({"sleeper", pair.exec_argv(0, {"sleep", "100"}), {}, dir.path() / "log", {}, 500ms, 5, {}, {}});
    const std::string msg = pair.ns(0) + " " + std::to_string(d.pid()) + "\n";
    [[maybe_unused]] auto n = ::write(fds[1], msg.data(), msg.size());
    for (;;) ::pause();
  }
  ::close(fds[1]);
  std::string msg;
  char buf[256];
  for (ssize_t n; msg.find('\n') == std::string::npos && (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    msg.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ASSERT_NE(msg.find(' '), std::string::npos) << "child harness failed: " << msg;
  const std::string ns = msg.substr(0, msg.find(' '));
  const int daemon = std::stoi(msg.substr(msg.find(' ') + 1));
  EXPECT_TRUE(exists(ns));
  ::kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_FALSE(exists(ns));
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(process::pid_alive(daemon));
}

TEST(Netns, ProcessesInsideAreKilledOnRemoval) {
  REQUIRE_ROOT();
  int pid = 0;
  {
    NetnsPair pair("192.168.0.1", "192.168.0.2");
    const auto r = pair.exec(0, {"sh", "-c", "setsid sleep 100 >/dev/null 2>&1 & echo $!"});
    pid = std::stoi(r.out);
    EXPECT_TRUE(process::pid_alive(pid));
  }
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(process::pid_alive(pid));
}

TEST(Netns, SweepRemovesNamespacesOfDeadRunsOnly) {
  REQUIRE_ROOT();
  const std::string stale = "ikc999999999x0000n0a";  // pid beyond pid_max: never alive
  ASSERT_TRUE(process::run({"ip", "netns", "add", stale}).ok());
  NetnsPair mine("192.168.0.1", "192.168.0.2");
  const auto removed = sweep_stale();
  EXPECT_NE(std::find(removed.begin(), removed.end(), stale), removed.end());
  EXPECT_FALSE(exists(stale));
  EXPECT_TRUE(exists(mine.ns(0)));
}

std::size_t ours() {  // other test processes may run concurrently: count this run's only
  const auto names = list_namespaces();
  return static_cast<std::size_t>(std::count_if(names.begin(), names.end(), [](const std::string& n) {
    return n.rfind(process::run_prefix(), 0) == 0;
  }));
}

TEST(Netns, ManyPairsInSequence) {
  REQUIRE_ROOT();
  const std::size_t before = ours();
  for (int i = 0; i < 5; ++i) {
    NetnsPair pair("192.168.0.1", "192.168.0.2");
    EXPECT_EQ(ours(), before + 2);
  }
  EXPECT_EQ(ours(), before);
}

}  // namespace
}  // namespace ikeconform::netns
