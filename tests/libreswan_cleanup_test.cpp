// Nothing the Libreswan and mixed targets make outlives them (label `root`): network
// namespaces, plutos / charons (and with them their private mount namespaces), run folders --
// after a successful run, a failed one, an unreachable peer (the run gives up in time) and
// SIGINT in a harness (a forked child, as tests/drivers_netns_test.cpp does it).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "drivers/libreswan/peer.hpp"
#include "drivers/netns/netns.hpp"
#include "drivers/process/cleanup.hpp"
#include "drivers/stack/pair_target.hpp"
#include "drivers/strongswan/peer.hpp"
#include "leftovers.hpp"
#include "libreswan_test_util.hpp"

namespace ikeconform {
namespace {

using testing::Leftovers;
using testing::leftovers;
using testing::settle;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class LibreswanCleanup : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_ROOT_AND("the Libreswan cleanup test");
    if (const std::string why = libreswan::libreswan_unavailable(); !why.empty())
      GTEST_SKIP() << "\n\n*** SKIPPED: Libreswan is not usable here: " << why << " ***\n";
  }
};

stack::PairOptions options() {
  stack::PairOptions o;
  o.key_cache = testing::test_key_cache();
  return o;
}

// The targets as make_target() builds them: pairs of peer stacks.
stack::PairTarget pair_of(const stack::StackKind& a, const stack::StackKind& b, stack::PairOptions o) {
  return stack::PairTarget(a, b, std::move(o));
}
stack::PairTarget libreswan_pair(stack::PairOptions o) {
  return pair_of(libreswan::stack_kind(), libreswan::stack_kind(), std::move(o));
}

TEST_F(LibreswanCleanup, NothingLeftAfterSuccessAndFailure) {
  Scenario s = testing::runnable("s1", IkeVersion::V1);
  std::swap(s.peers[1].certificates[0], s.peers[1].certificates[1]);  // R2 -> R1 fails at MM5
  {
    stack::PairTarget t = libreswan_pair(options());
    EXPECT_EQ(t.run(s, 0).ike_sa, SaResult::Established);
    const Observation failed = t.run(s, 1);
    EXPECT_EQ(failed.reason, Reason::CertValidationFailed) << testing::dump(failed);
    EXPECT_FALSE(leftovers(process::run_prefix()).processes.empty());  // the plutos were there
  }
  const Leftovers l = settle(process::run_prefix());
  EXPECT_TRUE(l.none()) << l.describe();
}

TEST_F(LibreswanCleanup, UnreachablePeerGivesUpInTimeAndLeavesNothing) {
  const Scenario s = testing::runnable("s1", IkeVersion::V2);
  {
    stack::PairTarget t = libreswan_pair(options());
    t.runner().options().retry = false;  // the retry in a fresh pair would heal it
    ASSERT_EQ(t.run(s, 0).ike_sa, SaResult::Established);
    const netns::NetnsPair* net = t.runner().net();
    ASSERT_NE(net, nullptr);
    ASSERT_TRUE(net->exec(1, {"ip", "link", "set", net->interface(1), "down"}).ok());  // R2 goes silent
    const auto begin = std::chrono::steady_clock::now();
    const Observation o = t.run(s, 0);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin);
    std::cout << "[ timing ] unreachable peer: verdict after " << took.count() << " ms\n";
    // Silence in a pair of our own daemons is an infrastructure error, never a verdict.
    EXPECT_EQ(o.reason, Reason::InternalError) << testing::dump(o);  // the infrastructure error's code
    ASSERT_FALSE(o.trace.empty());
    EXPECT_NE(o.trace[0].find("R1 logged no answer from R2"), std::string::npos) << testing::dump(o);
    EXPECT_LT(took, 8s);
  }
  const Leftovers l = settle(process::run_prefix());
  EXPECT_TRUE(l.none()) << l.describe();
}

TEST_F(LibreswanCleanup, MixedPairLeavesNothing) {
  {
    stack::PairTarget t = pair_of(strongswan::stack_kind(), libreswan::stack_kind(), options());
    t.run(testing::runnable("s1", IkeVersion::V2), 1);
  }
  const Leftovers l = settle(process::run_prefix());
  EXPECT_TRUE(l.none()) << l.describe();
}

TEST_F(LibreswanCleanup, StrongswanPairLeavesNothing) {
  {
    stack::PairTarget t = pair_of(strongswan::stack_kind(), strongswan::stack_kind(), options());
    EXPECT_TRUE(t.run(testing::runnable("s1", IkeVersion::V2), 0).up());
    // charon-systemd's command line does not name the run (pluto's --config does): its namespaces do.
    EXPECT_FALSE(leftovers(process::run_prefix()).namespaces.empty());
  }
  const Leftovers l = settle(process::run_prefix());
  EXPECT_TRUE(l.none()) << l.describe();
}

// Ctrl-C in a harness: a forked child runs a scenario (two plutos, namespaces, folders), reports
// its run prefix, then gets SIGINT; the cleanup handlers must remove everything.
TEST_F(LibreswanCleanup, SigintRemovesPlutosNamespacesAndFolders) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    cleanup::install_cleanup_handlers();
    auto* t = new stack::PairTarget(libreswan_pair(options()));  // never destroyed: only the signal cleans up
    const Observation o = t->run(testing::runnable("s1", IkeVersion::V2), 0);
    const std::string msg = process::run_prefix() + " " + std::string(sa_result_text(o.ike_sa)) + "\n";
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
  const std::string prefix = msg.substr(0, msg.find(' '));
  EXPECT_NE(msg.find("established"), std::string::npos) << msg;
  const Leftovers before = leftovers(prefix);
  EXPECT_FALSE(before.namespaces.empty());
  EXPECT_FALSE(before.processes.empty());
  ::kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  const Leftovers after = settle(prefix);
  EXPECT_TRUE(after.none()) << after.describe();
}

}  // namespace
}  // namespace ikeconform
